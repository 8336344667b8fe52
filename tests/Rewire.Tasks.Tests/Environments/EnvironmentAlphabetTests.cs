using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Environments;

public sealed class EnvironmentAlphabetTests
{
    [Theory]
    [InlineData("guess")]
    [InlineData("search")]
    [InlineData("maze")]
    public void Observations_and_demonstrated_actions_stay_in_the_alphabet(string name)
    {
        var env = EnvironmentRegistry.CreateDefault().Create(name);
        Assert.Equal(env.Alphabet, new string([.. env.Alphabet.Distinct().Order()]));
        var random = new Random(2);
        for (var seed = 0; seed < 40; seed++)
        {
            var texts = new List<string> { env.Reset(seed) };
            EnvironmentStep st;
            do
            {
                var action = env.Demonstrate(0.3, random);
                st = env.Step(action);
                texts.Add(action);
                texts.Add(st.Observation);
            }
            while (!st.Done);
            foreach (var t in texts)
                foreach (var c in t)
                    Assert.True(env.Alphabet.Contains(c), $"'{c}' of '{t}' is not in the alphabet of {name}");
        }
    }
}
