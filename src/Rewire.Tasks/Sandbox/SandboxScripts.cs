// The Python side of the code sandbox, embedded from Sandbox/Python/*.py: the supervisor (runs as root, sets up the
// namespaces and limits), the channel both processes speak, the program's server and the test harness.
using System.Reflection;

namespace Rewire.Tasks.Sandbox;

internal static class SandboxScripts
{
    public static string Supervisor { get; } = Load("supervisor.py");
    public static string Rpc { get; } = Load("rpc.py");
    public static string Server { get; } = Load("server.py");
    public static string Harness { get; } = Load("harness.py");

    private static string Load(string name)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("Rewire.Tasks.Sandbox." + name)
            ?? throw new InvalidOperationException($"the embedded sandbox script '{name}' is missing from Rewire.Tasks");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
