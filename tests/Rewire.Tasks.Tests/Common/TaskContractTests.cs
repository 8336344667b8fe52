using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Tests.Common;

/// <summary>The properties every registered task must have, checked on every task and difficulty level.</summary>
public sealed class TaskContractTests
{
    private static readonly TaskRegistry Registry = TaskRegistry.CreateDefault();

    public static TheoryData<string, int> TaskLevels()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in TestTasks.Generated)
        {
            var t = Registry.Create(name);
            for (var d = 1; d <= t.MaxDifficulty; d++) data.Add(name, d);
        }
        return data;
    }

    public static TheoryData<string> TaskNames()
    {
        var data = new TheoryData<string>();
        foreach (var n in TestTasks.Generated) data.Add(n);
        return data;
    }

    [Theory]
    [MemberData(nameof(TaskLevels))]
    public void Generator_is_deterministic_per_seed(string name, int difficulty)
    {
        var a = Registry.Create(name).GenerateMany(Split.Train, 7, 40, difficulty);
        var b = Registry.Create(name).GenerateMany(Split.Train, 7, 40, difficulty);
        Assert.Equal(a.Select(p => (p.Id, p.Text, p.Answer, p.Domain)), b.Select(p => (p.Id, p.Text, p.Answer, p.Domain)));
        var c = Registry.Create(name).GenerateMany(Split.Train, 8, 40, difficulty);
        Assert.NotEqual(a.Select(p => p.Text), c.Select(p => p.Text));
        Assert.Equal(a[17].Text, Registry.Create(name).Generate(Split.Train, 7, 17, difficulty).Text);
    }

    [Theory]
    [MemberData(nameof(TaskLevels))]
    public void Train_and_test_splits_never_share_a_prompt(string name, int difficulty)
    {
        var task = Registry.Create(name);
        var train = new HashSet<string>();
        var test = new HashSet<string>();
        foreach (var seed in new[] { 1, 2, 3 })
        {
            train.UnionWith(task.GenerateMany(Split.Train, seed, 150, difficulty).Select(p => p.Text));
            test.UnionWith(task.GenerateMany(Split.Test, seed, 60, difficulty).Select(p => p.Text));
        }
        Assert.Empty(train.Intersect(test));
        Assert.True(test.Count > 1, "the test split should hold more than one problem");
    }

    [Theory]
    [MemberData(nameof(TaskLevels))]
    public void Error_free_demonstrations_pass_their_verifier(string name, int difficulty)
    {
        var task = Registry.Create(name);
        var random = new Random(3);
        foreach (var p in task.GenerateMany(Split.Train, 11, 60, difficulty).Concat(task.GenerateMany(Split.Test, 11, 20, difficulty)))
        {
            var demo = task.Demonstrate(p, 0, random);
            var r = task.Verifier.Score(new Rollout(p, demo));
            Assert.True(r.Correct == true && r.Total == 1, $"{p.Text} -> '{demo}': {r.FailureReason}");
            Assert.Null(r.FailureReason);
            Assert.Equal(1, r.Components["format"]);
            // Surrounding whitespace is tolerated.
            Assert.Equal(1, task.Verifier.Score(new Rollout(p, "  " + demo + "\n")).Total);
        }
    }

    [Theory]
    [MemberData(nameof(TaskLevels))]
    public void Wrong_demonstrations_keep_the_format_and_get_zero_credit_for_correctness(string name, int difficulty)
    {
        var task = Registry.Create(name);
        var random = new Random(5);
        var formatted = 0;
        var prompts = task.GenerateMany(Split.Train, 13, 60, difficulty);
        foreach (var p in prompts)
        {
            var demo = task.Demonstrate(p, 1, random);
            var r = task.Verifier.Score(new Rollout(p, demo));
            Assert.False(r.Correct, $"{p.Text} -> '{demo}' should be wrong");
            Assert.True(r.Total < 1);
            Assert.NotNull(r.FailureReason);
            if (r.Components["format"] == 1) formatted++;
        }
        Assert.True(formatted >= prompts.Count * 9 / 10, $"only {formatted} of {prompts.Count} wrong demonstrations were well-formed");
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void Error_rate_controls_the_share_of_wrong_demonstrations(string name)
    {
        var task = Registry.Create(name);
        var random = new Random(17);
        var prompts = task.GenerateMany(Split.Train, 21, 400);
        var right = prompts.Count(p => task.Verifier.Score(new Rollout(p, task.Demonstrate(p, 0.3, random))).Correct == true);
        Assert.InRange(right / 400.0, 0.6, 0.8);
    }

    [Theory]
    [MemberData(nameof(TaskLevels))]
    public void Alphabet_covers_prompts_and_demonstrations(string name, int difficulty)
    {
        var task = Registry.Create(name);
        Assert.Equal(task.Alphabet, new string([.. task.Alphabet.Distinct().Order()]));
        var random = new Random(1);
        foreach (var p in task.GenerateMany(Split.Train, 4, 80, difficulty))
        {
            var text = p.Text + task.Demonstrate(p, 0.5, random);
            foreach (var c in text) Assert.True(task.Alphabet.Contains(c), $"'{c}' of {text} is not in the alphabet '{task.Alphabet}'");
        }
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void Easy_level_prompt_and_completion_fit_a_small_context(string name)
    {
        var task = Registry.Create(name);
        foreach (var p in task.GenerateMany(Split.Train, 9, 200))
            Assert.True(p.Text.Length + p.Answer!.Length < 64, $"{p.Text}{p.Answer} is {p.Text.Length + p.Answer.Length} characters");
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void Prompts_carry_task_domain_difficulty_and_unique_ids(string name)
    {
        var task = Registry.Create(name);
        var prompts = task.GenerateMany(Split.Test, 2, 50, task.MaxDifficulty);
        Assert.All(prompts, p =>
        {
            Assert.Equal(name, p.Task);
            Assert.Contains(p.Domain, task.Domains);
            Assert.Equal(task.MaxDifficulty, p.Difficulty);
        });
        Assert.Equal(prompts.Count, prompts.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void Bad_arguments_fail_with_clear_messages()
    {
        var task = Registry.Create("arithmetic");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => task.Generate(Split.Train, 1, 0, 9));
        Assert.Contains("1..5", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => task.Generate(Split.Train, 1, -1));
        var p = task.Generate(Split.Train, 1, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => task.Demonstrate(p, 1.5, new Random(1)));
        var foreign = Registry.Create("lists").Generate(Split.Train, 1, 0);
        var e2 = Assert.Throws<ArgumentException>(() => task.Verifier.Score(new Rollout(foreign, "1")));
        Assert.Contains("lists", e2.Message);
    }

    [Fact]
    public void Registry_rejects_duplicates_and_lists_valid_names_for_unknown_ones()
    {
        var r = TaskRegistry.CreateDefault();
        Assert.Equal(["addition", "arithmetic", "countdown", "dataset", "lists", "programs", "reasoning", "reverse"], r.Names);
        Assert.Throws<InvalidOperationException>(() => r.Register("arithmetic", () => new Rewire.Tasks.Arithmetic.ArithmeticTask()));
        var e = Assert.Throws<KeyNotFoundException>(() => r.Create("algebra"));
        Assert.Contains("algebra", e.Message);
        Assert.Contains("addition, arithmetic, countdown, dataset, lists, programs, reasoning, reverse", e.Message);
        Assert.Equal(TaskRegistry.DefaultTask, r.Create(TaskRegistry.DefaultTask).Name);
    }

    [Fact]
    public void Split_assignment_is_stable_and_close_to_the_test_fraction()
    {
        var tests = Enumerable.Range(0, 20000).Count(i => SplitAssignment.Of("t", "p" + i) == Split.Test);
        Assert.InRange(tests / 20000.0, SplitAssignment.TestFraction - 0.02, SplitAssignment.TestFraction + 0.02);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("arithmetic\u00011+2")]
    [InlineData("\u00e9\u2211 \U0001F600")] // non-ASCII: one UTF-16 code unit at a time, surrogates included
    public void String_hash_is_fnv1a_of_the_utf16_code_units_finished_by_splitmix64(string text)
    {
        // An independent computation (BigInteger arithmetic modulo 2^64), itself pinned to published test vectors, so
        // splits stay the same across .NET versions and machines and a change to either step is caught.
        Assert.Equal(0xaf63dc4c8601ec8cUL, ReferenceFnv1a("a"));       // FNV-1a 64 test vectors (Fowler, Noll, Vo)
        Assert.Equal(0x85944171f73967e8UL, ReferenceFnv1a("foobar"));
        Assert.Equal(0xe220a8397b1dcdafUL, ReferenceSplitMix64(0));    // SplitMix64 (Steele, Lea, Flood) from state 0: first two outputs
        Assert.Equal(0x6e789e6aa1b965f4UL, ReferenceSplitMix64(0x9E3779B97F4A7C15UL));

        Assert.Equal(ReferenceSplitMix64(ReferenceFnv1a(text)), TaskRandom.Hash(text));
    }

    [Fact]
    public void String_hash_tells_near_strings_apart()
    {
        Assert.NotEqual(TaskRandom.Hash("abc"), TaskRandom.Hash("abd"));
        Assert.NotEqual(TaskRandom.Hash("ab"), TaskRandom.Hash("ba"));
    }

    private static readonly System.Numerics.BigInteger Mod64 = System.Numerics.BigInteger.One << 64;

    private static ulong ReferenceFnv1a(string text)
    {
        System.Numerics.BigInteger h = 14695981039346656037UL;
        foreach (char unit in text) h = ((h ^ unit) * 1099511628211UL) % Mod64;
        return (ulong)h;
    }

    /// <summary>One SplitMix64 step from <paramref name="state"/>: advance by the golden gamma, then mix.</summary>
    private static ulong ReferenceSplitMix64(ulong state)
    {
        var z = (new System.Numerics.BigInteger(state) + 0x9E3779B97F4A7C15UL) % Mod64;
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL) % Mod64;
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EBUL) % Mod64;
        return (ulong)(z ^ (z >> 31));
    }
}
