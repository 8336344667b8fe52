using System.Net;
using System.Text;
using Rewire.Classic.Control;
using Rewire.Classic.RewardDesign;

namespace Rewire.Classic.Tests.RewardDesign;

public class AnnotatedRewardTests
{
    private static DesignStep Step(string message, double reward = 0) =>
        new(0, 0, 0, reward, message, 0, 0, [], [], new Dictionary<string, double>(), false);

    private sealed class FixedAnnotator(double? label) : IAnnotator
    {
        public string Name => "fixed";
        public long Queries { get; private set; }
        public long Failures { get; private set; }
        public double? Label(string task, string message) { Queries++; if (label is null) Failures++; return label; }
        public IReadOnlyList<string> Subgoals(string task) => ["a", "b"];
        public int? Achieved(string task, IReadOnlyList<string> subgoals, string message) => message == "A" ? 0 : message == "B" ? 1 : null;
    }

    [Fact]
    public void Oni_gives_zero_to_unlabelled_messages_and_queues_each_once()
    {
        var oni = new OniIntrinsicReward(new FixedAnnotator(1.0), "task");
        List<DesignStep> ep = [Step("m"), Step("m"), Step("n")];
        Assert.Equal(0.0, oni.Reward(ep[..1]));
        Assert.Equal(0.0, oni.Reward(ep[..2]));
        Assert.Equal(0.0, oni.Reward(ep));
        Assert.Equal(["m", "n"], oni.Queue);
        oni.EndEpisode(new DesignEpisode(ep, false));
        Assert.Empty(oni.Queue);
        Assert.Equal(1.0, oni.LabelOf("m"));
    }

    [Fact]
    public void Oni_second_occurrence_gets_one_over_two_to_the_beta()
    {
        var oni = new OniIntrinsicReward(new FixedAnnotator(1.0), "task", extrinsicCoefficient: 2.0, intrinsicCoefficient: 0.4, countExponent: 3.0);
        oni.Reward([Step("m")]);
        oni.AnnotateQueue();
        List<DesignStep> ep = [Step("m", 1.0), Step("x"), Step("m", 1.0)];
        Assert.Equal(2.0 + 0.4, oni.Reward(ep[..1]), 12);
        Assert.Equal(2.0 + 0.4 / 8, oni.Reward(ep), 12);
    }

    [Fact]
    public void Oni_with_no_intrinsic_coefficient_is_the_scaled_extrinsic_reward()
    {
        var oni = new OniIntrinsicReward(new FixedAnnotator(1.0), "task", extrinsicCoefficient: 0.1, intrinsicCoefficient: 0.0);
        oni.Reward([Step("m")]);
        oni.AnnotateQueue();
        Assert.Equal(0.1 * 3.0, oni.Reward([Step("m", 3.0)]), 12);
    }

    [Fact]
    public void A_failed_annotation_is_counted_and_the_message_stays_queued()
    {
        var oni = new OniIntrinsicReward(new FixedAnnotator(null), "task");
        oni.Reward([Step("m")]);
        oni.AnnotateQueue();
        Assert.Equal(["m"], oni.Queue);
        Assert.Equal(1, oni.Metrics["reward_design/oni/annotator_failures"]);
        Assert.Null(oni.LabelOf("m"));
    }

    [Fact]
    public void The_rule_based_annotator_labels_progress_as_helpful()
    {
        var a = new RuleBasedAnnotator();
        Assert.Equal(1.0, a.Label("t", GridMessages.PickedKey));
        Assert.Equal(0.0, a.Label("t", GridMessages.Wall));
        var goals = a.Subgoals(new KeyDoorGrid().Describe());
        Assert.Equal(3, goals.Count);
        Assert.Equal(1, a.Achieved("t", goals, GridMessages.Door));
        Assert.Null(a.Achieved("t", goals, GridMessages.Moved));
    }

    [Fact]
    public void Calm_pays_each_subgoal_once_per_episode()
    {
        var calm = new CalmSubgoalReward(new FixedAnnotator(1.0), "task", bonus: 0.5);
        List<DesignStep> ep = [Step("A"), Step("x"), Step("A"), Step("B", 1.0)];
        Assert.Equal(0.5, calm.Reward(ep[..1]));
        Assert.Equal(0.0, calm.Reward(ep[..2]));
        Assert.Equal(0.0, calm.Reward(ep[..3]));
        Assert.Equal(1.5, calm.Reward(ep));
        Assert.Equal(0.5, calm.Reward([Step("A")])); // a new episode pays again
        var none = new CalmSubgoalReward(new FixedAnnotator(1.0), "task", bonus: 0.0);
        Assert.Equal(1.0, none.Reward(ep));
    }

    /// <summary>A local OpenAI-compatible stub: answers every chat request with <paramref name="answer"/> and <paramref name="status"/>.</summary>
    private sealed class StubServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public StubServer(Func<string, (int Status, string Content)> respond)
        {
            for (int attempt = 0; ; attempt++)
            {
                Port = Random.Shared.Next(20_000, 60_000);
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
                try { _listener.Start(); break; }
                catch (HttpListenerException) when (attempt < 20) { }
            }
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try { ctx = await _listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                    string body = await new StreamReader(ctx.Request.InputStream).ReadToEndAsync();
                    Requests.Add(body);
                    var (status, content) = respond(body);
                    string json = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":" + System.Text.Json.JsonSerializer.Serialize(content) + "}}]}";
                    var bytes = Encoding.UTF8.GetBytes(json);
                    ctx.Response.StatusCode = status;
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                    ctx.Response.Close();
                }
            });
        }

        public int Port { get; private set; }

        public System.Collections.Concurrent.ConcurrentBag<string> Requests { get; } = [];

        public string Url => $"http://127.0.0.1:{Port}/v1";

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void The_chat_annotator_parses_answers_from_an_openai_compatible_endpoint_and_caches_them()
    {
        using var server = new StubServer(body => (200, body.Contains("pick up the key", StringComparison.Ordinal) ? "Helpful." : body.Contains("Which sub-goal", StringComparison.Ordinal) ? "2" : body.Contains("List the sub-goals", StringComparison.Ordinal) ? "1. get the key\n2. open the door\n3. reach the goal" : "unhelpful"));
        using var chat = new ChatAnnotator(new ChatAnnotatorOptions(server.Url, "stub-model", TimeSpan.FromSeconds(30)));
        Assert.Equal(1.0, chat.Label("task", GridMessages.PickedKey));
        Assert.Equal(0.0, chat.Label("task", GridMessages.Wall));
        Assert.Equal(1.0, chat.Label("task", GridMessages.PickedKey));
        var goals = chat.Subgoals("task");
        Assert.Equal(["get the key", "open the door", "reach the goal"], goals);
        Assert.Equal(1, chat.Achieved("task", goals, GridMessages.Door));
        Assert.Equal(4, chat.Queries);
        Assert.Equal(0, chat.Failures);
        Assert.Contains(server.Requests, r => r.Contains("\"model\":\"stub-model\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Chat_failures_are_counted_never_thrown()
    {
        using (var server = new StubServer(_ => (500, "oops")))
        using (var chat = new ChatAnnotator(new ChatAnnotatorOptions(server.Url, "m", TimeSpan.FromSeconds(30))))
        {
            Assert.Null(chat.Label("task", "msg"));
            Assert.Equal(1, chat.Failures);
        }
        using (var server = new StubServer(_ => (200, "I cannot say")))
        using (var chat = new ChatAnnotator(new ChatAnnotatorOptions(server.Url, "m", TimeSpan.FromSeconds(30))))
        {
            Assert.Null(chat.Label("task", "msg"));
            Assert.Null(chat.Achieved("task", ["a"], "msg"));
            Assert.Equal(2, chat.Failures);
        }
        int port;
        using (var server = new StubServer(_ => (200, "x"))) port = server.Port;
        using var down = new ChatAnnotator(new ChatAnnotatorOptions($"http://127.0.0.1:{port}/v1", "m", TimeSpan.FromSeconds(5)));
        Assert.Null(down.Label("task", "msg"));
        Assert.Equal(1, down.Failures);
        var oni = new OniIntrinsicReward(down, "task");
        Assert.Equal(0.0, oni.Reward([Step("msg")]));
        oni.AnnotateQueue();
        Assert.Equal(["msg"], oni.Queue);
    }

    [Fact]
    public void The_chat_designer_takes_the_code_block_and_its_prompt_carries_the_feedback()
    {
        const string answer = "Here it is.\n```python\n# reach the goal\ndef sparse(obs):\n    return 1.0 if obs['next_x'] == obs['goal_x'] and obs['next_y'] == obs['goal_y'] else 0.0\n\ndef dense(obs):\n    return obs['x'] - obs['next_x']\n```\nDone.";
        using var server = new StubServer(_ => (200, answer));
        using var chat = new ChatAnnotator(new ChatAnnotatorOptions(server.Url, "m", TimeSpan.FromSeconds(30)));
        var designer = new ChatRewardDesigner(chat);
        string[] fields = ["x", "next_x", "goal_x", "next_y", "goal_y"];
        var code = designer.Propose(new DesignerInput("reach the goal", fields, null, "Rejected: define dense(obs)", "3 episodes failed", 2));
        Assert.StartsWith("# reach the goal\ndef sparse(obs):", code.Code, StringComparison.Ordinal);
        Assert.DoesNotContain("```", code.Code, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.Contains("Rejected: define dense(obs)", StringComparison.Ordinal) && r.Contains("3 episodes failed", StringComparison.Ordinal));
        Assert.True(new RewardCodeCritic(fields, new NoRunner(), []).Review(code.Code).Passed);

        int port;
        using (var gone = new StubServer(_ => (200, "x"))) port = gone.Port;
        using var down = new ChatAnnotator(new ChatAnnotatorOptions($"http://127.0.0.1:{port}/v1", "m", TimeSpan.FromSeconds(5)));
        var empty = new ChatRewardDesigner(down).Propose(new DesignerInput("t", fields, null, null, null, 1));
        Assert.False(new RewardCodeCritic(fields, new NoRunner(), []).Review(empty.Code).Passed);
        Assert.Equal(1, down.Failures);
    }

    /// <summary>A runner the static checks never reach (no sample observations are given to the critic).</summary>
    private sealed class NoRunner : IRewardCodeRunner
    {
        public RewardCodeResult Run(string code, IReadOnlyList<IReadOnlyDictionary<string, double>> observations) => throw new InvalidOperationException("not expected to run");
    }

    [Fact]
    public void A_bad_annotator_url_is_refused_with_what_to_write()
    {
        var e = Assert.Throws<ArgumentException>(() => new ChatAnnotator(new ChatAnnotatorOptions("localhost:8000", "m", TimeSpan.FromSeconds(1))));
        Assert.Contains("http://localhost:8000/v1", e.Message, StringComparison.Ordinal);
    }
}
