using Rewire.Core;
using Rewire.Tasks.Arithmetic;
using Rewire.Tasks.Countdown;
using Rewire.Tasks.Lists;
using Rewire.Tasks.Programs;
using Rewire.Tasks.Reasoning;

namespace Rewire.Tasks;

/// <summary>Tasks by name, so configuration can name any of them. Registering a name twice fails; an unknown name fails with the valid names.</summary>
public sealed class TaskRegistry
{
    private readonly NamedRegistry<Func<ITask>> _factories = new("task");

    /// <summary>The task <c>rewire train</c> uses when none is named.</summary>
    public const string DefaultTask = "arithmetic";

    /// <summary>A registry with every built-in task.</summary>
    public static TaskRegistry CreateDefault()
    {
        var r = new TaskRegistry();
        r.Register("arithmetic", () => new ArithmeticTask());
        // Addition only: a rule a small model can learn, unlike memorised products (the default task of `rewire train` is reverse).
        r.Register("addition", () => new ArithmeticTask(["add"], "addition"));
        r.Register("countdown", () => new CountdownTask());
        r.Register("lists", () => new ListOpsTask());
        // List reversal only: a copying rule a small transformer learns in minutes on a CPU.
        r.Register("reverse", () => new ListOpsTask(["rev"], "reverse"));
        r.Register("reasoning", () => new ReasoningTask());
        r.Register("programs", () => new ProgramSynthesisTask());
        return r;
    }

    public IReadOnlyList<string> Names => _factories.Names;

    public bool Contains(string name) => _factories.Contains(name);

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/>; see <see cref="NamedRegistry{T}.Register"/>.</summary>
    public void Register(string name, Func<ITask> factory) => _factories.Register(name, factory);

    /// <summary>A new task registered as <paramref name="name"/>; an unknown name throws <see cref="KeyNotFoundException"/>.</summary>
    public ITask Create(string name)
    {
        var task = _factories.Get(name)();
        if (task.Name != name)
            throw new InvalidOperationException($"the factory registered as '{name}' built a task named '{task.Name}'");
        return task;
    }
}
