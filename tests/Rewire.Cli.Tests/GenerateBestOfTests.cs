using System.Text.Json;
using Rewire.Tests.Shared;

namespace Rewire.Cli.Tests;

/// <summary>`rewire generate --best-of N [--rounds T]`: best-of-N and Iterative Agent Decoding on a tiny Hugging Face
/// checkpoint (the llama fixture with a chat template and a longer context, so the feedback fits).</summary>
public class GenerateBestOfTests
{
    /// <summary>A copy of the llama fixture with a chat template and a context of 512 positions (rotary: no weights depend on it).</summary>
    private static string ChatModel()
    {
        string dir = HfFixtures.CopyToTemp("llama");
        File.WriteAllText(Path.Combine(dir, "chat_template.jinja"),
            "{{ bos_token }}{% for m in messages %}<|eot_id|>{{ m['role'] }}:{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}<|eot_id|>a:{% endif %}");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}""");
        string config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"max_position_embeddings\": 48", "\"max_position_embeddings\": 512", StringComparison.Ordinal));
        return dir;
    }

    [Theory]
    [InlineData("--best-of 4", "--verifier")]
    [InlineData("--verifier exact --answer 4", "add --best-of")]
    [InlineData("--rounds 2", "add --best-of")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --rounds 2", "needs --chat")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --chat --feedback random", "add --rounds")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --chat --rounds 2 --feedback best", "choose verifier, random or none")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --temperature 0", "greedy")]
    [InlineData("--best-of 0 --verifier exact --answer 4", "1 to 256")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --chat --rounds 17", "1 to 16")]
    [InlineData("--best-of 2 --verifier judge --answer 4", "choose one of exact, numeric, math, regex, code")]
    [InlineData("--best-of 2 --verifier exact", "add --answer")]
    [InlineData("--best-of 2 --verifier numeric --answer four", "not a number")]
    [InlineData("--best-of 2 --verifier regex --answer 4", "needs --pattern")]
    [InlineData("--best-of 2 --verifier regex --answer 4 --pattern (a)\\1", "--pattern")]
    [InlineData("--best-of 2 --verifier regex --answer 4 --pattern a", "no capture group")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --pattern (a)", "belongs to --verifier regex")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --tolerance 0.1", "belongs to --verifier numeric or math")]
    [InlineData("--best-of 2 --verifier code", "--test")]
    [InlineData("--best-of 2 --verifier code --test assert --answer 4", "drop --answer")]
    [InlineData("--best-of 2 --verifier exact --answer 4 --test assert", "drop --test")]
    public void BadCombinationsAreRefusedBeforeTheModelLoads(string options, string named)
    {
        // A model folder that does not exist: the refusal must come from the options, before any loading.
        string[] args = ["generate", "--model", "/nonexistent/model", "--prompt", "2+2=", .. options.Split(' ')];
        var (code, _, error) = CliHarness.Run(args);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain("nonexistent", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BestOfNScoresEveryCandidateAndAnswersWithTheHighestReproducibly()
    {
        string[] args = ["generate", "--model", HfFixtures.Directory("llama"), "--prompt", "Hi", "--best-of", "5", "--verifier", "regex",
            "--pattern", "(?s)(.)\\z", "--answer", "a", "--max-new-tokens", "3", "--temperature", "8", "--top-p", "1", "--seed", "3", "--json"];
        var first = CliHarness.Run(args);
        Assert.True(first.Code == 0, first.Err);
        Assert.Equal(first.Out, CliHarness.Run(args).Out);
        using var doc = JsonDocument.Parse(first.Out);
        var root = doc.RootElement;
        var candidates = root.GetProperty("candidates").EnumerateArray().ToArray();
        Assert.Equal(5, candidates.Length);
        Assert.All(candidates, c => Assert.Equal(0, c.GetProperty("round").GetInt32()));
        Assert.Equal([0, 1, 2, 3, 4], candidates.Select(c => c.GetProperty("index").GetInt32()));
        var scores = candidates.Select(c => c.GetProperty("score").GetDouble()).ToArray();
        int chosen = root.GetProperty("chosen").GetInt32();
        Assert.Equal(Array.IndexOf(scores, scores.Max()), chosen);
        Assert.Equal(scores.Max(), root.GetProperty("score").GetDouble());
        Assert.Equal(candidates[chosen].GetProperty("text").GetString(), root.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("feedback_mode").ValueKind);
        Assert.Empty(root.GetProperty("feedback").EnumerateArray());
        // The regex verifier's verdict: the last character equals the answer.
        foreach (var c in candidates)
        {
            string text = c.GetProperty("text").GetString()!;
            bool right = text.Length > 0 && text[^1..].Normalize(System.Text.NormalizationForm.FormKC).ToLowerInvariant() == "a";
            Assert.Equal(right ? 1.0 : 0.0, c.GetProperty("score").GetDouble());
            Assert.Equal(right, c.GetProperty("correct").GetBoolean());
        }
    }

    [Fact]
    public void IadFeedsThePreviousRoundsBestAndWorstBackAndChoosesTheGlobalBest()
    {
        string dir = ChatModel();
        try
        {
            string[] common = ["generate", "--model", dir, "--chat", "--prompt", "Q", "--best-of", "3", "--rounds", "3", "--verifier", "regex",
                "--pattern", "(?s)(.)\\z", "--answer", "a", "--max-new-tokens", "4", "--temperature", "8", "--top-p", "1", "--seed", "11", "--json"];
            var run = CliHarness.Run(common);
            Assert.True(run.Code == 0, run.Err);
            using var doc = JsonDocument.Parse(run.Out);
            var root = doc.RootElement;
            Assert.Equal("verifier", root.GetProperty("feedback_mode").GetString());
            var candidates = root.GetProperty("candidates").EnumerateArray().ToArray();
            Assert.Equal(9, candidates.Length);
            Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2, 2], candidates.Select(c => c.GetProperty("round").GetInt32()));
            var scores = candidates.Select(c => c.GetProperty("score").GetDouble()).ToArray();
            Assert.Equal(Array.IndexOf(scores, scores.Max()), root.GetProperty("chosen").GetInt32());
            var feedback = root.GetProperty("feedback").EnumerateArray().ToArray();
            Assert.Equal([1, 2], feedback.Select(f => f.GetProperty("round").GetInt32()));
            // The byte-level tokenizer: a round's user message is the prompt, a blank line and the feedback, byte for byte.
            var promptTokens = root.GetProperty("round_prompt_tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(root.GetProperty("prompt_tokens").GetArrayLength(), promptTokens[0]);
            Assert.Equal(promptTokens.Skip(1), feedback.Select(f => promptTokens[0] + System.Text.Encoding.UTF8.GetByteCount("\n\n" + f.GetProperty("text").GetString())));
            foreach (var f in feedback)
            {
                int round = f.GetProperty("round").GetInt32();
                var previous = candidates.Where(c => c.GetProperty("round").GetInt32() == round - 1).ToArray();
                var prevScores = previous.Select(c => c.GetProperty("score").GetDouble()).ToArray();
                int best = Array.IndexOf(prevScores, prevScores.Max()), worst = Array.LastIndexOf(prevScores, prevScores.Min());
                Assert.Equal(best == worst ? [best] : new[] { best, worst }, f.GetProperty("shown").EnumerateArray().Select(e => e.GetInt32()));
                string text = f.GetProperty("text").GetString()!;
                Assert.StartsWith("A verifier scored your previous answers", text, StringComparison.Ordinal);
                Assert.Contains("Best answer (score ", text, StringComparison.Ordinal);
                Assert.Contains(previous[best].GetProperty("text").GetString()!, text, StringComparison.Ordinal);
            }

            // Without feedback the rounds are best-of-9: round 0 is the same sample, later rounds read the plain prompt.
            var none = CliHarness.Run([.. common, "--feedback", "none"]);
            Assert.True(none.Code == 0, none.Err);
            using var noneDoc = JsonDocument.Parse(none.Out);
            Assert.Empty(noneDoc.RootElement.GetProperty("feedback").EnumerateArray());
            Assert.Equal([promptTokens[0], promptTokens[0], promptTokens[0]], noneDoc.RootElement.GetProperty("round_prompt_tokens").EnumerateArray().Select(e => e.GetInt32()));
            var noneCandidates = noneDoc.RootElement.GetProperty("candidates").EnumerateArray().ToArray();
            Assert.Equal(candidates.Take(3).Select(c => c.GetProperty("text").GetString()), noneCandidates.Take(3).Select(c => c.GetProperty("text").GetString()));

            var random = CliHarness.Run([.. common, "--feedback", "random"]);
            Assert.True(random.Code == 0, random.Err);
            using var randomDoc = JsonDocument.Parse(random.Out);
            Assert.All(randomDoc.RootElement.GetProperty("feedback").EnumerateArray(), f =>
            {
                Assert.Equal(2, f.GetProperty("shown").GetArrayLength());
                Assert.StartsWith("Two of your previous answers, in random order (not scored)", f.GetProperty("text").GetString(), StringComparison.Ordinal);
            });
            Assert.Equal(random.Out, CliHarness.Run([.. common, "--feedback", "random"]).Out);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void IadThatCannotFitItsFeedbackInTheContextIsRefusedBeforeGenerating()
    {
        string dir = HfFixtures.CopyToTemp("llama");
        try
        {
            File.WriteAllText(Path.Combine(dir, "chat_template.jinja"), "{% for m in messages %}{{ m['content'] }}{% endfor %}");
            var (code, output, error) = CliHarness.Run("generate", "--model", dir, "--chat", "--prompt", "Q", "--best-of", "2", "--rounds", "2",
                "--verifier", "exact", "--answer", "a", "--max-new-tokens", "4", "--json");
            Assert.True(code == 2, $"exit {code}: {error}");
            Assert.Contains("context of 48 tokens", error, StringComparison.Ordinal);
            Assert.Equal("", output);
        }
        finally { Directory.Delete(dir, true); }
    }
}
