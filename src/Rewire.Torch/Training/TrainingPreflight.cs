using Rewire.Core.Configuration;
using Rewire.Tasks;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Training;

/// <summary>
/// Every check of a <see cref="TrainOptions"/> that <see cref="RlvrTrainer"/>'s constructor makes, run without a model and
/// without a run folder, so `rewire train` refuses a bad configuration before it creates anything: registered names,
/// the model shape, the generation settings, every component built once, and a context long enough for the longest
/// prompt plus `rl.max_new_tokens`. Problems are reported together as a <see cref="ConfigurationException"/>.
/// </summary>
public static class TrainingPreflight
{
    /// <summary>
    /// Runs every check of the configuration (names, model shape, generation settings, components, context length)
    /// without a model or run folder; throws one <see cref="ConfigurationException"/> listing every problem.
    /// </summary>
    public static void Check(ResolvedTrainConfig c)
    {
        var o = c.Options;
        var errors = new List<string>();
        void Try(Action check)
        {
            try { check(); }
            catch (ArgumentException e) { errors.Add(e.Message); }
            catch (ConfigurationException e) { errors.AddRange(e.Errors); }
        }

        var task = TrainingComponents.CreateTask(o, c.Registries);
        // model.path: the folder's tokenizer and EOS ids (its architecture is checked when the weights are loaded).
        var hf = o.Model.IsHuggingFace ? HfTextSide.Load(o.Model.Path) : null;
        ITokenizer tokenizer = hf is not null ? hf.Tokenizer : new CharTokenizer(task.Alphabet);
        var train = PolicySession.Prompts(task, o, Split.Train);
        if (hf is null)
            Try(() => new TransformerConfig
            {
                VocabSize = tokenizer.VocabSize,
                Layers = o.Model.Layers,
                Heads = o.Model.Heads,
                Width = o.Model.Width,
                ContextLength = o.Model.Context,
            }.Validate());
        Try(() => new GenerationOptions
        {
            MaxNewTokens = o.Rl.MaxNewTokens,
            Temperature = o.Rl.Temperature,
            StopTokens = hf is not null ? hf.EosIds : [tokenizer.EosId],
            PadId = tokenizer.PadId,
        }.Validate(tokenizer.VocabSize));
        Try(() => TrainingComponents.CreateSampler(c, train));
        Try(() => TrainingComponents.CreateUpdate(c, tokenizer.PadId, TrainingComponents.CreateReward(c, task)));
        Try(() => TrainingComponents.CreateShapers(c));
        Try(() => { if (TrainingComponents.CreateRollout(c) is IDisposable built) built.Dispose(); });
        Try(() => PolicySession.CheckFits(o, c.Registries));
        if (o.Run.Device == "cuda" && !TorchSharp.torch.cuda.is_available())
            errors.Add("'run.device' = cuda, but LibTorch sees no CUDA device: this build uses the CPU LibTorch (build with -p:RewireTorchBackend=cuda on a machine with an NVIDIA GPU), or set run.device=cpu or auto");
        if (errors.Count > 0) throw new ConfigurationException(errors);
    }

    /// <summary>Refuses a `model.context` shorter than the longest prompt plus `rl.max_new_tokens`.</summary>
    /// <param name="longestRecord">Where the longest prompt is (a dataset's file and line), named in the message; null for generated tasks.</param>
    /// <param name="o">The training options.</param>
    /// <param name="longestPrompt">Token length of the longest prompt.</param>
    public static void CheckContext(TrainOptions o, int longestPrompt, string? longestRecord = null)
    {
        int need = longestPrompt + EpisodeSettings.ResponseBudget(o);
        string where = longestRecord is null ? "" : $" (the longest is the record at {longestRecord}: shorten it or leave it out)";
        if (need > o.Model.Context && EpisodeSettings.Multiturn(o))
            throw new ConfigurationException([$"'model.context' = {o.Model.Context} is too short for episodes: a first observation of {longestPrompt} tokens plus env.max_turns = {o.Env.MaxTurns} turns of 'rl.max_new_tokens' = {o.Rl.MaxNewTokens} with observations of up to env.max_observation_tokens = {o.Env.MaxObservationTokens} between them need {need}; set model.context={need} or more (or 0 to derive it), or lower env.max_turns"]);
        if (need > o.Model.Context)
            throw new ConfigurationException([$"'model.context' = {o.Model.Context} is too short: prompts of {longestPrompt} tokens plus 'rl.max_new_tokens' = {o.Rl.MaxNewTokens} need {need}; set model.context={need} or more, or lower rl.max_new_tokens{where}"]);
    }
}
