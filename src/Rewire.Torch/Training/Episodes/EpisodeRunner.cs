// Runs episodes of a text environment with a policy, batched across episodes: at each turn, one generation call writes
// the next action of every unfinished episode (their contexts left-padded together), then each environment answers.
//
//   for each start state s, G times:  env.Reset(seed(s)); context <- prompt(first observation)   (IEpisodeFormat: the
//                                      small GPT's character layout, or a chat model's chat template)
//   for turn = 1..env.max_turns:
//       actions <- policy(contexts of the unfinished episodes)          (log π_old, entropies, up to rl.max_new_tokens)
//       for each episode: (observation, r_t, done, outcome) <- env.Step(action)     (guarded: a failure ends the episode)
//                         context += action [mask 1] + observation [mask 0]          (unless done; in a chat template
//                         the "observation" is the end of the assistant turn, the user message and the generation prompt)
using System.Diagnostics;
using Rewire.Classic.Control;
using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>Runs batches of episodes; counts generated tokens, time and environment failures.</summary>
/// <param name="policy">The policy that writes the actions.</param>
/// <param name="tokenizer">The policy's tokenizer.</param>
/// <param name="template">The prompt template of the character layout.</param>
/// <param name="task">The environment's start states.</param>
/// <param name="generation">Sampling settings of one turn.</param>
/// <param name="options">The env section.</param>
/// <param name="guard">Failure isolation of the environment's calls.</param>
/// <param name="format">How the context grows (null: the small GPT's character layout of <paramref name="template"/>;
/// <see cref="ChatEpisodeFormat"/> for a chat model).</param>
public sealed class EpisodeRunner(IPolicy policy, ITokenizer tokenizer, PromptTemplate template, EnvironmentTask task,
    GenerationOptions generation, EnvOptions options, EnvironmentCallGuard guard, IEpisodeFormat? format = null)
{
    private readonly IEpisodeFormat _format = format ?? new CharacterEpisodeFormat(template, tokenizer, options.MaxObservationTokens);

    /// <summary>How the episodes' contexts grow (the small GPT's character layout or a chat model's template).</summary>
    public IEpisodeFormat Format => _format;

    /// <summary>The environment whose episodes this runner plays.</summary>
    public EnvironmentTask Task => task;

    /// <summary>The token that pads the policy's batches.</summary>
    public int PadId => tokenizer.PadId;

    /// <summary>Sequences generated per call of the policy (the last chunk may be smaller).</summary>
    public const int GenerationBatch = 256;

    /// <summary>Tokens the policy generated.</summary>
    public long GeneratedTokens { get; private set; }

    /// <summary>Time spent generating.</summary>
    public TimeSpan GenerateTime { get; private set; }

    /// <summary>Time spent in environment calls.</summary>
    public TimeSpan EnvironmentTime { get; private set; }

    /// <summary>Environment calls that failed (threw, timed out, answered nonsense).</summary>
    public int Failures { get; private set; }

    /// <summary>Of <see cref="Failures"/>, the calls that ran past their time budget.</summary>
    public int Timeouts { get; private set; }

    /// <summary>Runs <paramref name="perStart"/> episodes from each start state (consecutive), drawing samples from <paramref name="generator"/>.</summary>
    public IReadOnlyList<Episode> Run(IReadOnlyList<Prompt> starts, int perStart, torch.Generator generator, bool greedy = false)
    {
        var episodes = new List<Episode>(starts.Count * perStart);
        var envs = new List<GuardedEnvironment>(starts.Count * perStart);
        var dialogues = new List<IEpisodeDialogue>(starts.Count * perStart);
        var clock = Stopwatch.StartNew();
        foreach (var start in starts)
        {
            int seed = EnvironmentTask.SeedOf(start);
            for (int g = 0; g < perStart; g++)
            {
                var raw = task.Create();
                var env = new GuardedEnvironment(raw, guard);
                var reset = env.Reset(seed);
                var dialogue = _format.Start(start, raw);
                var episode = new Episode(start, dialogue.PromptTokens);
                if (!reset.Ok) Failed(episode, null, false, reset);
                episodes.Add(episode);
                envs.Add(env);
                dialogues.Add(dialogue);
            }
        }
        EnvironmentTime += clock.Elapsed;
        var sampling = greedy ? generation with { Greedy = true } : generation;
        for (int turn = 0; turn < task.MaxTurns; turn++)
        {
            var active = Enumerable.Range(0, episodes.Count).Where(i => !episodes[i].Finished).ToArray();
            if (active.Length == 0) break;
            clock.Restart();
            var contexts = active.Select(i => (IReadOnlyList<int>)episodes[i].Context()).ToArray();
            var produced = new List<GeneratedSequence>(active.Length);
            for (int s = 0; s < contexts.Length; s += GenerationBatch)
                produced.AddRange(policy.Generate(contexts[s..Math.Min(contexts.Length, s + GenerationBatch)], sampling, generator));
            GeneratedTokens += produced.Sum(p => (long)p.Tokens.Length);
            GenerateTime += clock.Elapsed;
            clock.Restart();
            bool last = turn == task.MaxTurns - 1;
            for (int k = 0; k < active.Length; k++)
            {
                var episode = episodes[active[k]];
                var seq = produced[k];
                string action = tokenizer.Decode(seq.Tokens.Where(t => t != tokenizer.EosId));
                bool truncated = seq.Finish == FinishReason.Length;
                episode.AddAction(seq.Tokens, seq.LogProbs, seq.Entropies);
                var step = envs[active[k]].Step(action);
                if (!step.Ok) { Failed(episode, action, truncated, step); continue; }
                int[]? observation = null;
                if (!step.Value!.Done && !last)
                {
                    try { observation = dialogues[active[k]].Continue(seq.Tokens, action, step.Value.Observation); }
                    catch (ArgumentException e)
                    {
                        // An observation the tokenizer cannot read breaks the environment's contract (its alphabet): a failure, counted.
                        Failed(episode, action, truncated, new GuardedResult<EnvironmentStep>(null, $"environment '{task.Name}' answered outside its alphabet: {e.Message}", false));
                        continue;
                    }
                }
                episode.AddStep(action, truncated, step.Value, observation);
                if (!episode.Finished && last) episode.Cut();
            }
            EnvironmentTime += clock.Elapsed;
        }
        return episodes;
    }

    private void Failed<T>(Episode episode, string? action, bool truncated, GuardedResult<T> result)
    {
        Failures++;
        if (result.TimedOut) Timeouts++;
        episode.Fail(action, truncated, result.Failure!, result.TimedOut);
    }
}
