using Rewire.Core.Techniques;
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
        foreach (var d in TaskDescriptors.Tasks) Assert.Equal(d.Name, tasks.Create(d.Name).Name);
    }
}
