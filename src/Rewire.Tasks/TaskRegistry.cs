using Rewire.Tasks.Arithmetic;
using Rewire.Tasks.Countdown;
using Rewire.Tasks.Lists;
using Rewire.Tasks.Programs;
using Rewire.Tasks.Reasoning;

namespace Rewire.Tasks;

/// <summary>Tasks by name, so configuration can name any of them. Registering a name twice fails; an unknown name fails with the valid names.</summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, Func<ITask>> _factories = new(StringComparer.Ordinal);

    /// <summary>The task <c>rewire train</c> uses when none is named.</summary>
    public const string DefaultTask = "arithmetic";

    /// <summary>A registry with every built-in task.</summary>
    public static TaskRegistry CreateDefault()
    {
        var r = new TaskRegistry();
        r.Register("arithmetic", () => new ArithmeticTask());
        // Addition only: the embedded default of `rewire train` (a rule a small model can learn, unlike memorised products).
        r.Register("addition", () => new ArithmeticTask(["add"], "addition"));
        r.Register("countdown", () => new CountdownTask());
        r.Register("lists", () => new ListOpsTask());
        // List reversal only: a copying rule a small transformer learns in minutes on a CPU.
        r.Register("reverse", () => new ListOpsTask(["rev"], "reverse"));
        r.Register("reasoning", () => new ReasoningTask());
        r.Register("programs", () => new ProgramSynthesisTask());
        return r;
    }

    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    public void Register(string name, Func<ITask> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(name, factory))
            throw new ArgumentException($"a task named '{name}' is already registered; choose another name", nameof(name));
    }

    public ITask Create(string name)
    {
        if (name is not null && _factories.TryGetValue(name, out var f))
        {
            var task = f();
            if (task.Name != name)
                throw new InvalidOperationException($"the factory registered as '{name}' built a task named '{task.Name}'");
            return task;
        }
        throw new ArgumentException($"unknown task '{name}'; valid names: {string.Join(", ", Names)}", nameof(name));
    }
}
