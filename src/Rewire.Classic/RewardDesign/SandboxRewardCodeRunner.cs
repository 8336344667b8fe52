using System.Globalization;
using System.Text;
using System.Text.Json;
using Rewire.Tasks.Sandbox;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Runs designer-written reward code (Auto MC-Reward) in Rewire's <see cref="PythonSandbox"/>, once per batch: one
/// sandboxed program receives every observation of the batch (as field names plus rows of numbers), calls
/// <c>sparse(obs)</c> and <c>dense(obs)</c> on each, and prints the pairs on one marked line. A crash, timeout, missing or
/// malformed answer is returned as an error text (the caller counts it and never trains on that code); nothing throws.
/// </summary>
public sealed class SandboxRewardCodeRunner(PythonSandbox sandbox) : IRewardCodeRunner
{
    private const string Marker = "REWIRE_REWARDS ";

    /// <summary>Sandbox limits for reward batches: the defaults with room for a batch's output (1 MiB).</summary>
    public static SandboxOptions DefaultOptions { get; } = new() { MaxOutputBytes = 1 << 20, WallClock = TimeSpan.FromSeconds(20), CpuSeconds = 10 };

    /// <summary>The sandbox the reward code runs in.</summary>
    public PythonSandbox Sandbox { get; } = sandbox ?? throw new ArgumentNullException(nameof(sandbox));

    /// <summary>The program run for a batch: the code, then the driver.</summary>
    public static string Program(string code, IReadOnlyList<IReadOnlyDictionary<string, double>> observations)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(observations);
        var fields = observations.SelectMany(o => o.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = observations.Select(o => fields.Select(f => o.TryGetValue(f, out double v) ? v : 0.0).ToArray()).ToList();
        string payload = JsonSerializer.Serialize(new { fields, rows });
        var sb = new StringBuilder(code.Length + payload.Length + 512);
        sb.Append(code).Append("\n\n");
        sb.Append("import json as _rewire_json\n");
        sb.Append("_rewire_in = _rewire_json.loads(").Append(JsonSerializer.Serialize(payload)).Append(")\n");
        sb.Append("_rewire_out = []\n");
        sb.Append("for _rewire_row in _rewire_in['rows']:\n");
        sb.Append("    _rewire_obs = dict(zip(_rewire_in['fields'], _rewire_row))\n");
        sb.Append("    _rewire_out.append([float(sparse(_rewire_obs)), float(dense(_rewire_obs))])\n");
        sb.Append("print(").Append(JsonSerializer.Serialize(Marker)).Append(" + _rewire_json.dumps(_rewire_out), flush=True)\n");
        return sb.ToString();
    }

    /// <inheritdoc />
    public RewardCodeResult Run(string code, IReadOnlyList<IReadOnlyDictionary<string, double>> observations)
    {
        string program = Program(code, observations);
        SandboxRun run;
        try
        {
            run = Sandbox.RunAsync(program, ["pass"]).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return new RewardCodeResult(null, $"the sandbox could not run the code: {e.Message}");
        }
        var result = run.Tests[0];
        string? line = result.Output.Split('\n').LastOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (line is null)
        {
            string tail = result.Output.Length > 600 ? result.Output[^600..] : result.Output;
            return new RewardCodeResult(null, $"{result.Outcome}: {result.Detail} {tail}".Trim());
        }
        try
        {
            var pairs = JsonSerializer.Deserialize<double[][]>(line[Marker.Length..]);
            if (pairs is null || pairs.Any(p => p is null || p.Length != 2))
                return new RewardCodeResult(null, "the code's answer was not one (sparse, dense) pair per observation");
            return new RewardCodeResult(pairs.Select(p => (p[0], p[1])).ToList(), null);
        }
        catch (JsonException e)
        {
            return new RewardCodeResult(null, string.Create(CultureInfo.InvariantCulture, $"the code's answer could not be read: {e.Message}"));
        }
    }
}
