using Rewire.Classic.QualityDiversity;
using Rewire.Core.Techniques;
using Rewire.Torch.QualityDiversity;

namespace Rewire.Torch.Tests.QualityDiversity;

public sealed class QdAlgorithmDescriptorTests
{
    [Fact]
    public void Descriptor_defaults_are_the_options_defaults()
    {
        foreach (var d in QdAlgorithms.Descriptors)
        {
            var values = d.Parameters.ToDictionary(p => p.Name, p => p.Default);
            Assert.Equal(new QdOptions(), QdAlgorithms.Options(values));
            Assert.Equal(TechniqueKinds.QdAlgorithm, d.Kind);
            Assert.Equal("qd", d.Example[0]);
        }
        Assert.Equal(["map-elites", "novelty", "serene", "taxons", "greedy", "stax"], QdAlgorithms.Names);
    }

    [Fact]
    public void Every_listed_algorithm_can_be_created_and_an_unknown_one_is_refused()
    {
        var space = BehaviorSpace.For("deceptive-maze")!;
        foreach (var name in QdAlgorithms.Names)
        {
            var s = QdAlgorithms.Create(name, new EpisodeEvaluator(() => Rewire.Classic.Control.ControlEnvironments.Make("deceptive-maze"), space, 0), new QdOptions(), 10, 0);
            Assert.Equal(name, s.Name);
            (s as IDisposable)?.Dispose();
        }
        Assert.Throws<ArgumentException>(() => QdAlgorithms.Create("nope", new EpisodeEvaluator(() => Rewire.Classic.Control.ControlEnvironments.Make("deceptive-maze"), space, 0), new QdOptions(), 10, 0));
    }
}
