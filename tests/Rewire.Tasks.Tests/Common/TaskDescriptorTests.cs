using Rewire.Core.Techniques;
using Rewire.Tasks.Dataset;
using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Common;

public sealed class TaskDescriptorTests
{
    [Fact]
    public void Task_and_environment_descriptors_are_well_formed()
    {
        Assert.Empty(TechniqueDescriptorChecks.Problems(TaskDescriptors.All));
        Assert.All(TaskDescriptors.Tasks, d => Assert.Equal(TechniqueKinds.Task, d.Kind));
        Assert.All(TaskDescriptors.Environments, d => Assert.Equal(TechniqueKinds.Environment, d.Kind));
        Assert.All(TaskDescriptors.Tasks, d => Assert.Contains($"task.name={d.Name}", d.Example));
    }

    [Fact]
    public void Described_names_equal_registered_names()
    {
        Assert.Equal(TaskRegistry.CreateDefault().Names.Order(StringComparer.Ordinal), TaskDescriptors.Tasks.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.Equal(EnvironmentRegistry.CreateDefault().Names.Order(StringComparer.Ordinal), TaskDescriptors.Environments.Select(d => d.Name).Order(StringComparer.Ordinal));
        var tasks = TaskRegistry.CreateDefault();
        foreach (var d in TaskDescriptors.Tasks.Where(d => d.Name != DatasetTask.TaskName)) Assert.Equal(d.Name, tasks.Create(d.Name).Name);
        // The dataset task needs its file: named without one, it says so.
        var e = Assert.Throws<ArgumentException>(() => tasks.Create(DatasetTask.TaskName));
        Assert.Contains("task.path", e.Message);
        Assert.Equal(DatasetTask.TaskName, tasks.Create(DatasetTask.TaskName, new TaskSettings { Dataset = new DatasetOptions { Path = TestTasks.WriteJsonl(TestTasks.Addition(10)) } }).Name);
    }
}
