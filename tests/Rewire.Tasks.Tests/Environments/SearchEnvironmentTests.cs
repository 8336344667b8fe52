using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Environments;

public sealed class SearchEnvironmentTests
{
    private static (SearchEnvironment Env, string Question) Start(int seed, SearchOptions? o = null)
    {
        var env = new SearchEnvironment(o);
        return (env, env.Reset(seed));
    }

    private static int FindDoc(SearchEnvironment env, bool relevant)
    {
        for (var i = 0; i < env.DocumentCount; i++)
            if ((env.Relevance(i) >= env.Options.Tau) == relevant) return i;
        throw new InvalidOperationException("no such document");
    }

    [Fact]
    public void Same_seed_same_knowledge_base_and_question()
    {
        var (a, qa) = Start(4);
        var (b, qb) = Start(4);
        Assert.Equal(qa, qb);
        Assert.Equal(a.Answer, b.Answer);
        Assert.Equal(Enumerable.Range(0, a.DocumentCount).Select(a.Document), Enumerable.Range(0, b.DocumentCount).Select(b.Document));
        Assert.Matches("^[a-z]+ (city|color|pet|job)\\?$", qa);
    }

    [Fact]
    public void Judge_reward_is_plus_alpha_iff_the_judgment_matches_the_relevance_label()
    {
        var (env, _) = Start(7);
        var good = FindDoc(env, true);
        var bad = FindDoc(env, false);
        env.Step($"read d{good}");
        Assert.Equal(0.2, env.Step("judge good").Reward);
        env.Step($"read d{bad}");
        Assert.Equal(0.2, env.Step("judge bad").Reward);
        env.Step($"read d{good}");
        Assert.Equal(-0.2, env.Step("judge bad").Reward);
        env.Step($"read d{bad}");
        Assert.Equal(-0.2, env.Step("judge good").Reward);
    }

    [Fact]
    public void A_document_judged_bad_leaves_the_context_and_a_kept_one_stays()
    {
        var (env, q) = Start(9);
        var good = FindDoc(env, true);
        var bad = FindDoc(env, false);
        env.Step($"read d{bad}");
        Assert.Contains(env.Document(bad), env.Context);
        env.Step("judge bad");
        Assert.DoesNotContain(env.Document(bad), env.Context);
        env.Step($"read d{good}");
        env.Step("judge good");
        Assert.Contains(env.Document(good), env.Context);
        Assert.StartsWith(q, env.Context);
    }

    [Fact]
    public void Without_judge_actions_the_reward_is_the_outcome()
    {
        var (env, q) = Start(11);
        var search = env.Step("search " + q.TrimEnd('?'));
        Assert.StartsWith("results: d", search.Observation);
        Assert.Equal(0, search.Reward);
        var top = search.Observation.Split(' ')[1];
        Assert.Equal(0, env.Step("read " + top).Reward);
        var end = env.Step("answer " + env.Answer);
        Assert.True(end.Done);
        Assert.Equal(1.0, end.Outcome);
        Assert.Equal(0, end.Reward);
        Assert.Equal(0, env.JudgeTotal);

        var (env2, _) = Start(11);
        Assert.Equal(0.0, env2.Step("answer nobody").Outcome);
    }

    [Fact]
    public void Judge_steps_report_the_judgment_and_relevance_that_ReSeeks_reward_recomputes()
    {
        // One scripted episode with one mistake per kind of judgment; reward.shaping=reseek at the environment's α and τ
        // rewrites the step rewards to exactly the environment's own judge rewards, and R = R_EM + Σ R_judge.
        var (env, q) = Start(7);
        var good = FindDoc(env, true);
        var bad = FindDoc(env, false);
        var steps = new List<EnvironmentStep>
        {
            env.Step("search " + q.TrimEnd('?')),
            env.Step($"read d{good}"), env.Step("judge good"),   // right: +0.2
            env.Step($"read d{bad}"), env.Step("judge good"),    // wrong: -0.2
            env.Step($"read d{bad}"), env.Step("judge bad"),     // right: +0.2
            env.Step("answer " + env.Answer),
        };
        Assert.Equal([0, 0, 0.2, 0, -0.2, 0, 0.2, 0], steps.Select(s => s.Reward));
        Assert.Equal(1.0, steps[2].Components![Rewire.Core.Shaping.ReSeekReward.JudgmentComponent]);
        Assert.Equal(-1.0, steps[6].Components![Rewire.Core.Shaping.ReSeekReward.JudgmentComponent]);
        Assert.Equal(1.0, steps[2].Components![Rewire.Core.Shaping.ReSeekReward.RelevanceComponent]);
        Assert.Equal(env.Relevance(bad), steps[4].Components![Rewire.Core.Shaping.ReSeekReward.RelevanceComponent]);
        var batch = new Rewire.Core.Shaping.ShapingBatch([steps[^1].Outcome!.Value], [0])
        {
            StepRewards = [new double[steps.Count]],
            StepComponents = [steps.Select(s => s.Components ?? new Dictionary<string, double>()).ToArray()],
        };
        new Rewire.Core.Shaping.ReSeekReward(env.Options.Alpha, env.Options.Tau).Apply(batch);
        Assert.Equal(steps.Select(s => s.Reward), batch.StepRewards![0]);
        Assert.Equal(1.2, batch.Rewards[0], 12);
    }

    [Fact]
    public void Error_free_demonstrations_answer_correctly_and_earn_judge_reward()
    {
        var random = new Random(3);
        for (var seed = 0; seed < 100; seed++)
        {
            var (env, _) = Start(seed);
            EnvironmentStep st;
            double total = 0;
            do
            {
                st = env.Step(env.Demonstrate(0, random));
                total += st.Reward;
            }
            while (!st.Done);
            Assert.Equal(1.0, st.Outcome);
            Assert.True(env.JudgeTotal > 0);
            Assert.Equal(env.JudgeTotal, total, 12);
        }
    }

    [Fact]
    public void Imperfect_demonstrations_are_sometimes_wrong()
    {
        var random = new Random(5);
        var correct = 0;
        for (var seed = 0; seed < 100; seed++)
        {
            var (env, _) = Start(seed);
            EnvironmentStep st;
            do st = env.Step(env.Demonstrate(0.4, random));
            while (!st.Done);
            if (st.Outcome == 1.0) correct++;
        }
        Assert.InRange(correct, 10, 95);
    }

    [Fact]
    public void Invalid_actions_and_turn_limit()
    {
        var (env, _) = Start(1, new SearchOptions { MaxTurns = 3 });
        Assert.StartsWith("invalid", env.Step("judge good").Observation);   // nothing read yet
        Assert.StartsWith("invalid", env.Step("read d999").Observation);
        var last = env.Step("dance");
        Assert.True(last.Done);
        Assert.Equal(0.0, last.Outcome);
        Assert.Contains("out of turns", last.Observation);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchEnvironment(new SearchOptions { Tau = 0 }));
    }

    [Fact]
    public void Registry_lists_environments()
    {
        var r = EnvironmentRegistry.CreateDefault();
        Assert.Equal(["calc", "guess", "maze", "repair", "search"], r.Names);
        Assert.Contains("calc, guess, maze, repair, search", Assert.Throws<KeyNotFoundException>(() => r.Create("cave")).Message);
        Assert.Throws<InvalidOperationException>(() => r.Register("guess", () => new GuessingEnvironment()));
    }
}
