using Rewire.Classic.Control;

namespace Rewire.Classic.Tests.Control;

public sealed class VectorEnvironmentTests
{
    [Fact]
    public void Same_step_autoreset_returns_the_next_episodes_first_observation_and_the_final_one_in_the_info()
    {
        var vec = new VectorEnvironment<int>(i => new CountingEnvironment(length: 2 + i), 2);
        var first = vec.Reset(7);
        var single0 = new CountingEnvironment(2).Reset(7).Observation;
        var single1 = new CountingEnvironment(3).Reset(8).Observation;
        Assert.Equal(single0, first[0]);
        Assert.Equal(single1, first[1]);

        var s1 = vec.Step([0, 1]);
        Assert.Equal(new[] { 1f, first[0][1] }, s1.Observations[0]);
        Assert.Equal(new[] { 1.0, 2.0 }, s1.Rewards);
        Assert.False(s1.Infos[0].ContainsKey(VectorEnvironment<int>.FinalObservationKey));

        var s2 = vec.Step([1, 1]);
        Assert.True(s2.Terminated[0]);
        Assert.False(s2.Terminated[1]);
        Assert.Equal(2.0, s2.Rewards[0]);
        // Sub-environment 0 ended: its observation is already the next episode's first, the final one is in the info.
        Assert.Equal(0f, s2.Observations[0][0]);
        var final = Assert.IsType<float[]>(s2.Infos[0][VectorEnvironment<int>.FinalObservationKey]);
        Assert.Equal(new[] { 2f, first[0][1] }, final);
        Assert.Equal(2, s2.Infos[0]["t"]);
        var resetInfo = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(s2.Infos[0][VectorEnvironment<int>.ResetInfoKey]);
        Assert.Equal(s2.Observations[0][1], resetInfo["start"]);
        Assert.Equal(2f, s2.Observations[1][0]);
        Assert.Equal(s2.Observations, vec.Observations);
    }

    [Fact]
    public void Truncation_is_reported_separately_from_termination()
    {
        var vec = new VectorEnvironment<int>(_ => new TimeLimit<int>(new CountingEnvironment(length: 10), 2), 1);
        vec.Reset(0);
        vec.Step([0]);
        var r = vec.Step([0]);
        Assert.True(r.Truncated[0]);
        Assert.False(r.Terminated[0]);
        Assert.Equal(new[] { 2f, ((float[])r.Infos[0][VectorEnvironment<int>.FinalObservationKey])[1] }, (float[])r.Infos[0][VectorEnvironment<int>.FinalObservationKey]);
    }

    [Fact]
    public void Bad_use_fails_with_a_message()
    {
        var vec = new VectorEnvironment<int>(_ => new CountingEnvironment(), 2);
        Assert.Throws<InvalidOperationException>(() => vec.Step([0, 0]));
        vec.Reset(0);
        var e = Assert.Throws<ArgumentException>(() => vec.Step([0]));
        Assert.Contains("1 actions for 2 environments", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saved_state_resumes_exactly()
    {
        var a = new VectorEnvironment<int>(_ => new TimeLimit<int>(new Rewire.Classic.Control.Environments.CartPole(), 500), 3);
        var b = new VectorEnvironment<int>(_ => new TimeLimit<int>(new Rewire.Classic.Control.Environments.CartPole(), 500), 3);
        a.Reset(1);
        for (int t = 0; t < 40; t++) a.Step([t % 2, 1, 0]);
        b.RestoreState(System.Text.Json.Nodes.JsonNode.Parse(a.SaveState().ToJsonString())!.AsObject());
        Assert.Equal(a.Observations, b.Observations);
        for (int t = 0; t < 100; t++)
            Assert.Equal(a.Step([t % 2, 0, 1]).Observations, b.Step([t % 2, 0, 1]).Observations);
    }
}

public sealed class VectorEnvironmentFailureTests
{
    [Fact]
    public void A_step_that_throws_is_counted_reported_as_truncation_and_reset()
    {
        var vec = new VectorEnvironment<int>(i => i == 0 ? new BrokenEnvironment(BrokenEnvironment.Fault.StepThrows) : new CountingEnvironment(100), 2);
        vec.Reset(0);
        vec.Step([0, 0]);
        vec.Step([0, 0]);
        var r = vec.Step([0, 0]);   // the broken environment throws on its third step
        Assert.Equal(1, vec.StepFailures);
        Assert.True(r.Truncated[0]);
        Assert.False(r.Terminated[0]);
        Assert.Equal(0.0, r.Rewards[0]);
        Assert.Contains("physics exploded", (string)r.Infos[0][VectorEnvironment<int>.ErrorKey], StringComparison.Ordinal);
        Assert.Equal(new[] { 0.1f, 0.1f }, (float[])r.Infos[0][VectorEnvironment<int>.FinalObservationKey]);
        Assert.Equal(new[] { 0f, 0f }, r.Observations[0]);
        Assert.Equal(3f, r.Observations[1][0]);
    }
}
