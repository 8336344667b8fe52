using System.ComponentModel;
using System.Globalization;
using Rewire.Core.Configuration;
using Rewire.Core.Decoding;
using Rewire.Core.Rewards;
using Rewire.HuggingFace;
using Rewire.HuggingFace.ChatTemplates;
using Rewire.Tasks.Dataset;
using Rewire.Tasks.Sandbox;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire generate --model DIR --prompt TEXT`: a continuation of raw text from a Hugging Face model folder,
/// stopping at the model's EOS ids (<c>generation_config.json</c>, else <c>config.json</c>). With <c>--best-of N</c> and a
/// verifier, best-of-N; with <c>--rounds T</c> as well, Iterative Agent Decoding (<see cref="IterativeAgentDecoding"/>):
/// T rounds of N candidates, each round after the first reading feedback on the previous round's scored candidates in
/// its user message, the answer the highest-scoring of all T·N.</summary>
public sealed class GenerateCommand : Command<GenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>")]
        [Description("A Hugging Face causal-LM folder (config.json, tokenizer.json, safetensors weights).")]
        public string? Model { get; init; }

        [CommandOption("--prompt <TEXT>")]
        [Description("The prompt, as raw text (no chat template); encoded as the tokenizer's post-processor says.")]
        public string? Prompt { get; init; }

        [CommandOption("--chat")]
        [Description("Render the prompt as a user message with the folder's chat template (chat_template.jinja or tokenizer_config.json), with the generation prompt.")]
        public bool Chat { get; init; }

        [CommandOption("--system <TEXT>")]
        [Description("A system message before the user message (needs --chat).")]
        public string? System { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        [Description("Tokens to generate at most (default: generation_config.json's max_new_tokens, else 64; never beyond the context).")]
        public int? MaxNewTokens { get; init; }

        [CommandOption("--temperature <T>")]
        [Description("Sampling temperature; 0 is greedy (default: generation_config.json's when it samples, else 0).")]
        public double? Temperature { get; init; }

        [CommandOption("--top-p <P>")]
        [Description("Nucleus sampling mass in (0, 1] (default: generation_config.json's top_p, else 1).")]
        public double? TopP { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Seed of the sampling generator (default 0).")]
        public long Seed { get; init; }

        [CommandOption("--dtype <DTYPE>")]
        [Description(HfCommandSupport.DTypeHelp)]
        public string? DType { get; init; }

        [CommandOption("--json")]
        [Description("Print {prompt_tokens, tokens, text, finish} as one JSON document; with --best-of, of the chosen candidate, with its score and every candidate (round, index, text, score, correct), the feedback of each round and each round's prompt length.")]
        public bool Json { get; init; }

        [CommandOption("--best-of <N>")]
        [Description("Sample N candidates (per round) and answer with the one --verifier scores highest, the first on ties (1 to 256). Needs --verifier.")]
        public int? BestOf { get; init; }

        [CommandOption("--rounds <T>")]
        [Description("Iterative Agent Decoding: T rounds of --best-of N candidates; rounds after the first read feedback on the previous round's candidates, appended to the user message (needs --chat); the answer is the best of all T*N (1 to 16; default 1, plain best-of-N).")]
        public int? Rounds { get; init; }

        [CommandOption("--feedback <MODE>")]
        [Description("With --rounds: verifier (default: the previous round's best and worst candidates with their scores), random (two of its candidates drawn at random, no scores; the paper's ablation) or none (no feedback: best-of-T*N, the compute-matched baseline).")]
        public string? Feedback { get; init; }

        [CommandOption("--verifier <NAME>")]
        [Description("What scores the candidates of --best-of: exact, numeric, math, regex or code, the verifiers of task.verifier (docs/tasks.md).")]
        public string? Verifier { get; init; }

        [CommandOption("--answer <TEXT>")]
        [Description("The reference answer the exact, numeric, math and regex verifiers compare with.")]
        public string? Answer { get; init; }

        [CommandOption("--pattern <REGEX>")]
        [Description("The regex verifier's pattern: a .NET regular expression with a capture group (named answer, or the first) around the answer.")]
        public string? Pattern { get; init; }

        [CommandOption("--tolerance <X>")]
        [Description("Relative and absolute tolerance of the numeric and math verifiers (default 1e-6).")]
        public double? Tolerance { get; init; }

        [CommandOption("--test <PYTHON>")]
        [Description("A Python test of the code verifier (usually an assert); repeat for several. The candidate's program (its first fenced block, else the whole text) runs against them in the sandbox.")]
        public string[]? Tests { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Model)) return ValidationResult.Error("--model DIR is required (a Hugging Face model folder)");
            if (Prompt is null) return ValidationResult.Error("--prompt TEXT is required");
            if (HfCommandSupport.ParseDType(DType) is null) return ValidationResult.Error(HfCommandSupport.DTypeError(DType!));
            if (System is not null && !Chat) return ValidationResult.Error("--system needs --chat (it is a message of the chat template)");
            if (MaxNewTokens is < 1) return ValidationResult.Error($"--max-new-tokens is {MaxNewTokens}; give at least 1");
            if (Temperature is { } t && (!(t >= 0) || !double.IsFinite(t))) return ValidationResult.Error($"--temperature is {t}; give 0 (greedy) or a positive number");
            if (TopP is { } p && !(p > 0 && p <= 1)) return ValidationResult.Error($"--top-p is {p}; give a value in (0, 1]");
            return BestOfProblem() is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
        }

        /// <summary>What is wrong with the best-of-N and IAD options, or null; checked before the model is loaded.</summary>
        internal string? BestOfProblem()
        {
            bool verifierOptions = Verifier is not null || Answer is not null || Pattern is not null || Tolerance is not null || Tests is { Length: > 0 };
            if (BestOf is null)
            {
                if (Rounds is not null || Feedback is not null) return "--rounds and --feedback are rounds of best-of-N candidates: add --best-of N and --verifier";
                if (verifierOptions) return "--verifier, --answer, --pattern, --tolerance and --test score the candidates of --best-of: add --best-of N, or drop them";
                return null;
            }
            if (BestOf is < 1 or > 256) return $"--best-of is {BestOf}; give 1 to 256 candidates per round";
            if (Rounds is < 1 or > 16) return $"--rounds is {Rounds}; give 1 to 16 rounds";
            int rounds = Rounds ?? 1;
            if (rounds > 1 && !Chat)
                return "--rounds above 1 needs --chat: the feedback on earlier candidates is written into the user message of the chat template (a raw-text continuation has no message to read it from)";
            if (Feedback is not null && ParseFeedback(Feedback) is null) return $"--feedback is \"{Feedback}\"; choose verifier, random or none";
            if (Feedback is not null && rounds < 2) return "--feedback decides what rounds 2..T read: add --rounds T with T of 2 or more, or drop --feedback";
            if (Temperature == 0 && BestOf > 1)
                return $"--temperature 0 is greedy: all {BestOf} candidates of a round would be the same; give a positive temperature (default 1 with --best-of) or --best-of 1";
            if (Verifier is null) return $"--best-of needs --verifier to score the candidates: one of {string.Join(", ", DatasetVerifiers.Names)}";
            if (!DatasetVerifiers.Names.Contains(Verifier)) return $"--verifier is \"{Verifier}\"; choose one of {string.Join(", ", DatasetVerifiers.Names)}";
            if (Verifier == "code")
            {
                if (Tests is not { Length: > 0 }) return "--verifier code runs the candidate against Python tests: give at least one --test 'assert ...'";
                if (Tests.Any(string.IsNullOrWhiteSpace)) return "--test is empty; give a Python statement, e.g. --test 'assert f(2) == 4'";
                if (Answer is not null) return "--verifier code checks the candidate with --test, not a reference answer: drop --answer";
            }
            else
            {
                if (string.IsNullOrEmpty(Answer)) return $"--verifier {Verifier} compares the candidate with a reference answer: add --answer TEXT";
                if (Tests is { Length: > 0 }) return $"--test belongs to --verifier code; --verifier {Verifier} compares with --answer: drop --test";
            }
            if (Verifier == "numeric" && !Rewire.Core.Verifiers.NumericAnswer.TryParse(Answer, out _))
                return $"--answer \"{Answer}\" is not a number, which --verifier numeric needs (use exact or math)";
            if (Pattern is not null && Verifier != "regex") return $"--pattern belongs to --verifier regex, not {Verifier}: drop it";
            if (Verifier == "regex")
            {
                if (string.IsNullOrEmpty(Pattern)) return "--verifier regex needs --pattern, a regular expression with a capture group around the answer, e.g. 'Answer: (\\S+)'";
                try { _ = new RegexAnswerVerifier(Pattern); }
                catch (ArgumentException e) { return e.Message.Replace("task.pattern", "--pattern", StringComparison.Ordinal); }
            }
            if (Tolerance is { } tol)
            {
                if (Verifier is not ("numeric" or "math")) return $"--tolerance belongs to --verifier numeric or math, not {Verifier}: drop it";
                if (!(tol >= 0) || !double.IsFinite(tol)) return $"--tolerance is {tol}; give a finite number of 0 or more";
            }
            return null;
        }

        /// <summary>The feedback mode --feedback names (verifier when absent), or null when it names none.</summary>
        internal static IadFeedbackMode? ParseFeedback(string? text) => text switch
        {
            null or "verifier" => IadFeedbackMode.Verifier,
            "random" => IadFeedbackMode.Random,
            "none" => IadFeedbackMode.None,
            _ => null,
        };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.BestOf is not null) return BestOf(settings, cancellationToken);
        using var model = HfCommandSupport.Open(settings.Model!, settings.DType);
        var prompt = settings.Chat ? ChatIds(model, settings) : HfCommandSupport.EncodePrompt(model, settings.Prompt!);
        var g = model.Generation;
        double temperature = settings.Temperature ?? (g is { DoSample: true, Temperature: { } gt } ? gt : 0);
        double topP = settings.TopP ?? g?.TopP ?? 1.0;
        int wanted = settings.MaxNewTokens ?? g?.MaxNewTokens ?? 64;
        int room = model.Network.ContextLength - prompt.Count;
        int maxNew = Math.Min(wanted, room);
        if (maxNew < wanted && !settings.Json)
            Console.Error.WriteLine($"rewire: at most {maxNew} new tokens fit in the model's context of {model.Network.ContextLength}");
        var options = new GenerationOptions
        {
            MaxNewTokens = maxNew,
            Greedy = temperature == 0,
            Temperature = temperature == 0 ? 1.0 : temperature,
            TopP = topP,
            TopK = temperature == 0 ? 0 : Math.Max(0, g?.TopK ?? 0),
            StopTokens = model.EosTokenIds,
            PadId = model.PadId,
        };
        IPolicy policy = new HfPolicy(model.Network);
        var result = policy.Generate([prompt], options, settings.Seed)[0];
        string text = model.Tokenizer.Decode(result.Tokens, skipSpecialTokens: true);
        string finish = result.Finish == FinishReason.Stop ? "stop" : "length";
        if (settings.Json)
        {
            JsonOutput.Write(new { prompt_tokens = prompt, tokens = result.Tokens, text, finish });
            return ExitCodes.Done;
        }
        Console.Out.WriteLine(text);
        AnsiConsole.MarkupLine($"[grey]{result.Tokens.Length.ToString(CultureInfo.InvariantCulture)} tokens, finish: {finish}[/]");
        return ExitCodes.Done;
    }

    /// <summary>A candidate of best-of-N and IAD: its tokens, text, finish reason and the verifier's result.</summary>
    private sealed record Candidate(int[] Tokens, string Text, string Finish, RewardResult Reward)
    {
        /// <summary>The verifier's total; negative infinity when scoring failed (ranked last).</summary>
        public double Score => Reward.Failed || !double.IsFinite(Reward.Total) ? double.NegativeInfinity : Reward.Total;
    }

    /// <summary>`--best-of N [--rounds T]`: best-of-N, or T rounds of IAD, scored by the command line's verifier.</summary>
    private static int BestOf(Settings settings, CancellationToken cancellationToken)
    {
        int n = settings.BestOf!.Value, rounds = settings.Rounds ?? 1;
        var mode = Settings.ParseFeedback(settings.Feedback)!.Value;
        var metadata = settings.Tests is { Length: > 0 } tests
            ? new Dictionary<string, string> { [PythonCodeReward.TestsKey] = CodeTestsVerifier.Encode(tests) }
            : null;
        var prompt = new Prompt("generate", "generate", "generate", settings.Prompt!, settings.Answer, 1, metadata);
        var verifier = CreateVerifier(settings); // before the model: a sandbox this machine cannot run is refused first
        using var model = HfCommandSupport.Open(settings.Model!, settings.DType);
        // Rounds after the first check their room themselves (running out of it then is a failure while running, exit 1).
        List<int> Ids(IadFeedback? feedback) => settings.Chat
            ? ChatIds(model, settings, IterativeAgentDecoding.UserMessage(settings.Prompt!, feedback), checkRoom: feedback is null)
            : HfCommandSupport.EncodePrompt(model, settings.Prompt!);
        var g = model.Generation;
        int context = model.Network.ContextLength;
        double temperature = settings.Temperature ?? (g is { DoSample: true, Temperature: { } gt } && gt > 0 ? gt : 1.0);
        int wanted = settings.MaxNewTokens ?? g?.MaxNewTokens ?? 64;
        if (rounds > 1 && mode != IadFeedbackMode.None)
        {
            // The feedback quotes up to two earlier candidates of up to `wanted` tokens each, and the new answer needs room too.
            var frame = IterativeAgentDecoding.Feedback(1, mode, [new IadShown(0, "", 0), new IadShown(1, "", 0)], new Random(0));
            int frameTokens = Ids(frame).Count;
            int needed = frameTokens + 3 * wanted;
            if (needed > context)
            {
                int fits = (context - frameTokens - 1) / 3;
                throw new HuggingFaceInputException($"--rounds {rounds} needs room in the model's context of {context} tokens for the prompt with its feedback ({frameTokens} tokens), two earlier candidates it quotes and a new answer, --max-new-tokens {wanted} each: {needed} tokens; "
                    + (fits >= 1 ? $"give --max-new-tokens {fits} or less" : "shorten the prompt"));
            }
        }
        var first = Ids(null);
        var options = new GenerationOptions
        {
            MaxNewTokens = Math.Min(wanted, context - first.Count),
            Greedy = temperature == 0,
            Temperature = temperature == 0 ? 1.0 : temperature,
            TopP = settings.TopP ?? g?.TopP ?? 1.0,
            TopK = temperature == 0 ? 0 : Math.Max(0, g?.TopK ?? 0),
            StopTokens = model.EosTokenIds,
            PadId = model.PadId,
        };
        if (options.MaxNewTokens < wanted && !settings.Json)
            Console.Error.WriteLine($"rewire: at most {options.MaxNewTokens} new tokens fit in the model's context of {context}");
        IPolicy policy = new HfPolicy(model.Network);
        using var generator = new TorchSharp.torch.Generator(unchecked((ulong)settings.Seed));
        var roundPromptTokens = new List<int>(rounds);
        IReadOnlyList<Candidate> Sample(int round, IadFeedback? feedback, int count)
        {
            var ids = round == 0 ? first : Ids(feedback);
            roundPromptTokens.Add(ids.Count);
            int maxNew = Math.Min(options.MaxNewTokens, context - ids.Count);
            if (maxNew < 1)
                throw new InvalidOperationException($"round {round}'s prompt with its feedback is {ids.Count} tokens, which leaves no room in the model's context of {context}; lower --max-new-tokens");
            var prompts = Enumerable.Repeat((IReadOnlyList<int>)ids, count).ToArray();
            var seqs = policy.Generate(prompts, options with { MaxNewTokens = maxNew }, generator);
            return seqs.Select(q =>
            {
                string text = model.Tokenizer.Decode(q.Tokens, skipSpecialTokens: true);
                var reward = verifier.Score(new Rollout(prompt, text, q.Tokens.Length, q.Finish, prompt.Id));
                return new Candidate(q.Tokens, text, q.Finish == FinishReason.Stop ? "stop" : "length", reward);
            }).ToArray();
        }
        int feedbackSeed = unchecked((int)(settings.Seed ^ (settings.Seed >> 32)));
        var result = IterativeAgentDecoding.Run<Candidate>(rounds, n, mode, feedbackSeed, Sample, c => c.Score, c => c.Text, cancellationToken);
        var answer = result.Answer;
        string modeName = mode.ToString().ToLowerInvariant();
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                prompt_tokens = first,
                tokens = answer.Value.Tokens,
                text = answer.Value.Text,
                finish = answer.Value.Finish,
                score = Finite(answer.Score),
                correct = answer.Value.Reward.Correct,
                chosen = result.Chosen,
                chosen_round = answer.Round,
                best_of = n,
                rounds,
                feedback_mode = rounds > 1 ? modeName : null,
                round_prompt_tokens = roundPromptTokens,
                verifier = settings.Verifier,
                candidates = result.Candidates.Select(c => new
                {
                    round = c.Round,
                    index = c.Index,
                    text = c.Value.Text,
                    tokens = c.Value.Tokens,
                    finish = c.Value.Finish,
                    score = Finite(c.Score),
                    correct = c.Value.Reward.Correct,
                    reason = c.Value.Reward.FailureReason,
                }),
                feedback = result.Feedback.Select(f => new { round = f.Round, shown = f.Shown.Select(x => x.Index), text = f.Text }),
            });
            return ExitCodes.Done;
        }
        Console.Out.WriteLine(answer.Value.Text);
        string what = rounds == 1 ? $"best of {n}" : $"IAD, {rounds} rounds of {n} (feedback: {modeName})";
        string verdict = answer.Value.Reward.Correct switch { true => "correct", false => "not correct", null => "" };
        AnsiConsole.MarkupLine(Markup.Escape($"{what}: round {answer.Round} candidate {answer.Index}, score {Show(answer.Score)}{(verdict.Length > 0 ? ", " + verdict : "")}; "
            + $"{answer.Value.Tokens.Length.ToString(CultureInfo.InvariantCulture)} tokens, finish: {answer.Value.Finish}").Insert(0, "[grey]") + "[/]");
        for (int t = 0; t < rounds; t++)
        {
            var scores = result.Candidates.Where(c => c.Round == t).Select(c => Show(c.Score));
            AnsiConsole.MarkupLine(Markup.Escape($"round {t}: scores {string.Join(' ', scores)}").Insert(0, "[grey]") + "[/]");
        }
        return ExitCodes.Done;
    }

    private static double? Finite(double score) => double.IsFinite(score) ? score : null;

    private static string Show(double score) => double.IsFinite(score) ? score.ToString("0.####", CultureInfo.InvariantCulture) : "failed";

    /// <summary>The verifier --verifier names; one that cannot be built here (the sandbox of code) is refused (exit 2).</summary>
    private static IRewardFunction CreateVerifier(Settings settings)
    {
        try
        {
            return DatasetVerifiers.Create(new DatasetOptions
            {
                Path = "",
                Verifier = settings.Verifier!,
                Tolerance = settings.Tolerance ?? 1e-6,
                Pattern = settings.Pattern ?? "",
            });
        }
        catch (SandboxUnavailableException e)
        {
            throw new ConfigurationException([$"--verifier code runs the candidates in the Python sandbox, which this machine cannot provide: {e.Message}"]);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException([e.Message]);
        }
    }

    /// <summary>The prompt rendered by the chat template (as transformers' apply_chat_template with add_generation_prompt),
    /// encoded without the post-processor's tokens: the template writes its own BOS.</summary>
    private static List<int> ChatIds(Torch.Models.HuggingFace.HfModel model, Settings settings, string? user = null, bool checkRoom = true)
    {
        var template = ChatTemplate.Load(model.Directory)
            ?? throw new HuggingFaceInputException($"{model.Directory}: --chat needs a chat template (chat_template.jinja, or chat_template in tokenizer_config.json), and this folder has none");
        var messages = new List<ChatMessage>();
        if (settings.System is not null) messages.Add(new ChatMessage("system", settings.System));
        messages.Add(new ChatMessage("user", user ?? settings.Prompt!));
        var ids = ChatPrompt.Build(template, model.Tokenizer, messages, addGenerationPrompt: true).Ids.ToList();
        if (ids.Count == 0 || (checkRoom && ids.Count >= model.Network.ContextLength))
            throw new HuggingFaceInputException($"the chat prompt encodes to {ids.Count} tokens; it must be at least 1 and leave room in the model's context of {model.Network.ContextLength}");
        return ids;
    }
}
