using Rewire.Core;
using Rewire.Tasks.Arithmetic;
using Rewire.Tasks.Chat;
using Rewire.Tasks.Countdown;
using Rewire.Tasks.Dataset;
using Rewire.Tasks.Lists;
using Rewire.Tasks.Programs;
using Rewire.Tasks.Reasoning;

namespace Rewire.Tasks;

/// <summary>Tasks by name, so configuration can name any of them. Registering a name twice fails; an unknown name fails with the valid names.</summary>
public sealed class TaskRegistry
{
    private readonly NamedRegistry<Func<TaskSettings, ITask>> _factories = new("task");

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
        r.Register(DatasetTask.TaskName, s => new DatasetTask(s.Dataset
            ?? throw new ArgumentException("task 'dataset' needs task.path=FILE, a .jsonl or .parquet file of records with a prompt (or messages) and an answer")));
        return r;
    }

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _factories.Names;

    /// <summary>Whether <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _factories.Contains(name);

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/>; see <see cref="NamedRegistry{T}.Register"/>.</summary>
    public void Register(string name, Func<ITask> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories.Register(name, _ => factory());
    }

    /// <summary>Adds a factory that reads the task's settings (a file, fields) under <paramref name="name"/>.</summary>
    public void Register(string name, Func<TaskSettings, ITask> factory) => _factories.Register(name, factory);

    /// <summary>A new task registered as <paramref name="name"/>; an unknown name throws <see cref="KeyNotFoundException"/>.</summary>
    public ITask Create(string name) => Create(name, TaskSettings.Default);

    /// <summary>
    /// A new task registered as <paramref name="name"/>, built with <paramref name="settings"/>, its answers in
    /// <see cref="TaskSettings.Format"/> (a <see cref="FormattedTask"/> unless plain). A bad file or setting throws
    /// <see cref="ArgumentException"/> or <see cref="DatasetFormatException"/>.
    /// </summary>
    public ITask Create(string name, TaskSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var task = _factories.Get(name)(settings);
        if (task.Name != name)
            throw new InvalidOperationException($"the factory registered as '{name}' built a task named '{task.Name}'");
        return settings.Format == AnswerFormat.Plain && settings.System.Length == 0 ? task
            : new FormattedTask(task, settings.Format, settings.System.Length == 0 ? null : settings.System);
    }
}
