using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Tasks;
using Rewire.Tests.Common;
using Rewire.Torch.Training;

namespace Rewire.Cli.Tests;

/// <summary>
/// The exit-code table of docs/training.md ("Exit codes") for every command: 0 done, 1 failed while running, 2 refused
/// input or configuration (before any work), 130 interrupted (Ctrl-C; covered by the trainer's interruption tests).
/// </summary>
[Collection("console")]
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-exit").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Refused((int Code, string Out, string Err) r, string expected)
    {
        Assert.True(r.Code == 2, $"exit {r.Code}; stderr: {r.Err}");
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("   at ", r.Err); // no stack trace without REWIRE_DEBUG=1
    }

    [Theory]
    [InlineData("nosuch", "Unknown command 'nosuch'")]
    [InlineData("train --nope", "Unknown option 'nope'")]
    [InlineData("eval --nope x", "Unknown option 'nope'")]
    [InlineData("sample --nope x", "Unknown option 'nope'")]
    [InlineData("list --nope", "Unknown option 'nope'")]
    [InlineData("doctor --nope", "Unknown option 'nope'")]
    [InlineData("score --nope", "Unknown option 'nope'")]
    [InlineData("bench nosuch", "Unknown command 'nosuch'")]
    [InlineData("bench samplers --nope", "Unknown option 'nope'")]
    [InlineData("bench generation --nope", "Unknown option 'nope'")]
    [InlineData("bench rewards --nope", "Unknown option 'nope'")]
    [InlineData("bandit --nope", "Unknown option 'nope'")]
    [InlineData("bid --budget-ration 0.1", "Unknown option 'budget-ration'")]
    [InlineData("bid --seed abc", "Failed to convert 'abc'")]
    public void Parse_errors_and_unknown_commands_and_options_are_refused_with_exit_code_2(string args, string expected)
    {
        var r = CliHarness.Run(args.Split(' '));
        Refused(r, expected);
        Assert.Contains("--help' to see what is accepted", r.Err);
    }

    [Theory]
    [InlineData("eval /nonexistent/run", "run folder '/nonexistent/run' does not exist")]
    [InlineData("sample /nonexistent/run", "run folder '/nonexistent/run' does not exist")]
    [InlineData("sample . --count 0", "--count is 0; give 1 to 10000")]
    [InlineData("score --task arithmetic", "--completion-file is required")]
    [InlineData("bench samplers --seeds 0", "--seeds is 0")]
    [InlineData("bench samplers --learning-rate NaN", "--learning-rate is NaN")]
    [InlineData("bench samplers --learning-rate Infinity", "--learning-rate is Infinity")]
    [InlineData("bench generation --memory-calls 5", "--memory-calls is 5")]
    [InlineData("bench rewards --calls 0", "--calls is 0")]
    [InlineData("bench rewards --hang-share NaN", "--hang-share is NaN")]
    [InlineData("bandit --steps 0", "--steps is 0")]
    [InlineData("bandit --beta Infinity", "--beta is Infinity")]
    [InlineData("bandit --algo nosuch", "Unknown --algo 'nosuch'")]
    [InlineData("bid --budget-ratio Infinity", "--budget-ratio is Infinity")]
    [InlineData("bid --budget-ratio NaN", "--budget-ratio is NaN")]
    [InlineData("bid --budget-ratio 2", "--budget-ratio is 2")]
    [InlineData("bid --auctions 100000000", "--auctions is 100000000")]
    public void Out_of_range_and_non_finite_settings_are_refused_with_exit_code_2(string args, string expected) =>
        Refused(CliHarness.Run(args.Split(' ')), expected);

    [Theory]
    [InlineData("reward.failure_value=1e308", "'reward.failure_value' = 1E+308 is out of range")]
    [InlineData("reward.weights.correct=1e300", "'reward.weights.correct' = 1E+300 is out of range")]
    [InlineData("reward.weights.nosuch=1", "'reward.weights.nosuch' names no component of the reverse task's verifier; its components are: correct, format, length")]
    [InlineData("model.layers=64 model.width=4096 model.context=8192", "the model would need about")]
    public void Train_refuses_settings_that_cannot_run_before_the_run_folder_exists(string overrides, string expected)
    {
        Refused(CliHarness.Run(["train", "--output", _dir, .. overrides.Split(' ')]), expected);
        Assert.Empty(Directory.GetDirectories(_dir));
    }

    [SkippableFact]
    public void Files_are_bounded_by_what_is_read_not_by_the_length_they_report()
    {
        EnvironmentSkip.Unless(File.Exists("/dev/zero"), "needs /dev/zero (a device that reports length 0 and never ends)");
        Refused(CliHarness.Run("train", "--output", _dir, "--config", "/dev/zero"), "configuration file '/dev/zero' holds more than 1048576 bytes");
        Assert.Empty(Directory.GetDirectories(_dir));
        Refused(CliHarness.Run("score", "--task", "reverse", "--completion-file", "/dev/zero"), "completion file '/dev/zero' holds more than 1048576 bytes");
    }

    [Fact]
    public void A_file_of_exactly_the_cap_is_read_and_one_byte_more_is_refused()
    {
        string file = Path.Combine(_dir, "c.txt");
        File.WriteAllText(file, new string('a', 1000));
        Assert.Equal(1000, BoundedFile.ReadAllText(file, "f", 1000).Length);
        File.WriteAllText(file, new string('a', 1001));
        var e = Assert.Throws<ConfigurationException>(() => BoundedFile.ReadAllText(file, "f", 1000));
        Assert.Contains("holds more than 1000 bytes", e.Message);
        Assert.Contains("is a folder", Assert.Throws<ConfigurationException>(() => BoundedFile.ReadAllText(_dir, "f")).Message);
    }

    [Fact]
    public void Commands_that_finish_exit_0()
    {
        Assert.Equal(0, CliHarness.Run("list", "--json").Code);
        Assert.Equal(0, CliHarness.Run("--version").Code);
        Assert.Equal(0, CliHarness.Run("--help").Code);
        Assert.Equal(0, CliHarness.Run("bandit", "--steps", "200", "--json").Code);
        Assert.Equal(0, CliHarness.Run("bid", "--auctions", "100", "--episodes", "2", "--training-episodes", "2", "--json").Code);
        Assert.Equal(0, CliHarness.Run("bench", "samplers", "--budget", "2000", "--seeds", "1", "--samplers", "uniform", "--json").Code);
        var rewards = CliHarness.Run("bench", "rewards", "--calls", "300", "--budget-ms", "5", "--hang-ms", "20", "--json");
        Assert.True(rewards.Code == 0, rewards.Out + rewards.Err);
        var root = JsonDocument.Parse(rewards.Out).RootElement;
        var outcomes = root.GetProperty("outcomes");
        Assert.Equal(300, outcomes.EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.Equal(0, root.GetProperty("mismatches").GetInt64());
        var doctor = CliHarness.Run("doctor", "--json");
        bool loaded = JsonDocument.Parse(doctor.Out).RootElement.GetProperty("libtorch_loaded").GetBoolean();
        Assert.Equal(loaded ? 0 : 1, doctor.Code);
    }

    [Fact]
    public void Train_eval_and_sample_exit_0_and_a_corrupt_checkpoint_fails_with_exit_1_naming_the_file()
    {
        string[] tiny = ["task.train_size=32", "task.test_size=4", "sft.steps=2", "sft.batch_size=8", "rl.steps=1", "rl.prompts_per_step=2",
            "rl.group_size=2", "rl.mini_batch_size=4", "eval.samples=1", "eval.pass_k=1", "run.checkpoint_every=1"];
        var train = CliHarness.Run(["train", "--output", _dir, "--quiet", .. tiny]);
        Assert.True(train.Code == 0, train.Err);
        string run = Assert.Single(Directory.GetDirectories(_dir));
        Assert.Equal(0, CliHarness.Run("eval", run, "--json").Code);
        var sample = CliHarness.Run("sample", run, "--count", "1");
        Assert.True(sample.Code == 0, sample.Err);

        string checkpoints = Path.Combine(run, "checkpoints");
        string latest = Path.Combine(checkpoints, File.ReadAllText(Path.Combine(checkpoints, TrainingCheckpoint.LatestFile)).Trim());
        string state = Path.Combine(latest, TrainingCheckpoint.StateFile);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(state))!.AsObject();
        node.Remove("sampler");
        File.WriteAllText(state, node.ToJsonString());
        var resumed = CliHarness.Run("train", "--resume", run, "--quiet");
        Assert.Equal(1, resumed.Code);
        Assert.Contains(state, resumed.Err);
        Assert.DoesNotContain("Object reference not set", resumed.Err);

        File.WriteAllText(state, "{ not json");
        resumed = CliHarness.Run("train", "--resume", run, "--quiet");
        Assert.Equal(1, resumed.Code);
        Assert.Contains($"{state} is corrupt: it is not valid JSON", resumed.Err);

        File.Delete(Path.Combine(checkpoints, TrainingCheckpoint.LatestFile));
        var eval = CliHarness.Run("eval", run);
        Assert.Equal(2, eval.Code);
        Assert.Contains("latest is missing, but the run has checkpoints", eval.Err);
    }

    [Fact]
    public void An_unexpected_error_exits_1_with_one_line_and_a_trace_only_in_debug_mode()
    {
        var oldErr = Console.Error;
        try
        {
            using var quiet = new StringWriter();
            Console.SetError(quiet);
            Assert.Equal(1, RewireApp.Fail(new InvalidOperationException("disk on fire\nsecond line"), ["bid"], debug: false));
            string text = quiet.ToString();
            Assert.Contains("rewire: failed: disk on fire second line (InvalidOperationException)", text);
            Assert.Contains("REWIRE_DEBUG=1", text);
            Assert.DoesNotContain("   at ", text);

            using var debug = new StringWriter();
            Console.SetError(debug);
            Exception thrown;
            try { throw new InvalidOperationException("boom"); }
            catch (InvalidOperationException e) { thrown = e; }
            Assert.Equal(1, RewireApp.Fail(thrown, [], debug: true));
            Assert.Contains("   at ", debug.ToString());
            Assert.Equal(130, RewireApp.Fail(new OperationCanceledException(), [], debug: false));
            Assert.Equal(2, RewireApp.Fail(new ConfigurationException(["x"]), [], debug: false));
        }
        finally
        {
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void Score_prints_control_characters_from_a_completion_as_visible_escapes()
    {
        var prompt = TaskRegistry.CreateDefault().Create("reverse").Generate(Split.Train, 0, 0);
        string file = Path.Combine(_dir, "evil.txt");
        File.WriteAllText(file, "\u001b]0;pwned\u0007\u001b[2J\r" + prompt.Answer + "\u202E");
        var r = CliHarness.Run("score", "--task", "reverse", "--completion-file", file);
        Assert.Equal(0, r.Code);
        Assert.DoesNotContain('\u001b', r.Out);
        Assert.DoesNotContain('\u0007', r.Out);
        Assert.DoesNotContain('\r', r.Out);
        Assert.DoesNotContain('\u202E', r.Out);
        Assert.Contains(@"\x1B]0;pwned\x07\x1B[2J\x0D", r.Out);
        Assert.Contains(@"\u202E", r.Out);
    }

    [Theory]
    [InlineData("plain\ttext\nline", "plain\ttext\nline")]
    [InlineData("a\u0000b\u007fc\u009bd", @"a\x00b\x7Fc\x9Bd")]
    [InlineData("\u2066x\u2069", @"\u2066x\u2069")]
    public void Terminal_text_keeps_newlines_and_tabs_and_escapes_every_other_control(string input, string expected) =>
        Assert.Equal(expected, TerminalText.Clean(input));

    [Fact]
    public void The_memory_estimate_counts_the_parameters_of_the_model_it_describes()
    {
        foreach (var (layers, width, heads) in new[] { (2, 128, 4), (3, 96, 3), (1, 64, 8) })
        {
            var o = OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides([$"model.layers={layers}", $"model.width={width}", $"model.heads={heads}", "model.context=32"]));
            var task = TaskRegistry.CreateDefault().Create("reverse");
            int vocab = new Rewire.Torch.Tokenizers.CharTokenizer(task.Alphabet).VocabSize;
            Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
            using var policy = new Rewire.Torch.Models.TransformerPolicy(new Rewire.Torch.Models.TransformerConfig
            {
                VocabSize = vocab, Layers = layers, Heads = heads, Width = width, ContextLength = o.Model.Context,
            }.Validate());
            long actual = policy.Parameters().Sum(p => p.numel());
            Assert.Equal(actual, ModelMemoryEstimate.For(o, vocab, 32).Parameters);
        }
    }

    [Fact]
    public void The_memory_check_refuses_what_does_not_fit_and_names_the_estimate()
    {
        var o = new TrainOptions();
        var task = TaskRegistry.CreateDefault().Create(o.Task.Name);
        Assert.Empty(TrainSettingsChecks.Check(o, task, availableBytes: 1e12));
        var refusal = Assert.Single(TrainSettingsChecks.Check(o, task, availableBytes: 1e6));
        Assert.Contains("the model would need about", refusal);
        Assert.Contains("but only 0.001 GiB is available", refusal);
    }

    [Theory]
    [InlineData("qd", "config.json is not JSON")]
    [InlineData("branch", "config.json is not JSON")]
    [InlineData("recommend", "config.json is not JSON")]
    [InlineData("control", "config.json is not JSON")]
    [InlineData("offline", "config.json cannot be read as a `rewire offline` config")]
    public void A_resumed_run_whose_config_is_not_json_is_refused_and_the_file_named(string command, string expected)
    {
        string run = Path.Combine(_dir, "broken-" + command);
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "config.json"), "{ not json");
        var r = CliHarness.Run(command, "--resume", run);
        Refused(r, expected);
        Assert.Contains(run, r.Err);
    }

    [Theory]
    [InlineData("qd")]
    [InlineData("branch")]
    [InlineData("recommend")]
    [InlineData("control")]
    [InlineData("offline")]
    public void A_resume_with_settings_beside_it_is_refused(string command)
    {
        string run = Path.Combine(_dir, "settings-" + command);
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "config.json"), "{}");
        Refused(CliHarness.Run(command, "--resume", run, "run.seed=2"), "the key=value settings (or start a new run)");
    }
}
