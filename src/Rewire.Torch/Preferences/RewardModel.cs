// A scalar reward model: the small GPT's trunk with a linear head, r(x, y) = head(h_T), read at the last position of the
// response (the state that has read the prompt and every response token before eos), as InstructGPT's reward model
// reads its final token. It starts from the warm-started policy's weights with a zero head (ValueModel). A trained model
// is saved in a run's reward_model/ folder beside a marker file (reward_model.json: kind, name, task, alphabet) that
// `reward.model=RUN` checks before loading anything.
using System.Text;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>A trunk-plus-head reward model over the small GPT (see the file header).</summary>
public sealed class RewardModel : IDisposable
{
    /// <summary>The folder of a run that holds the reward model.</summary>
    public const string Folder = "reward_model";

    /// <summary>The weights file (trunk and head).</summary>
    public const string WeightsFile = "reward_model.safetensors";

    /// <summary>The marker file: what the folder holds.</summary>
    public const string MarkerFile = "reward_model.json";

    private readonly ValueModel _model;

    /// <summary>A reward model whose trunk copies <paramref name="backbone"/>'s weights and whose head outputs 0.</summary>
    public RewardModel(TransformerPolicy backbone, string name, string task, string alphabet)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        _model = new ValueModel(backbone);
        Name = name;
        Task = task;
        Alphabet = alphabet;
    }

    /// <summary>The reward model's registry name (bradley_terry).</summary>
    public string Name { get; }

    /// <summary>The task whose prompts it was trained on.</summary>
    public string Task { get; }

    /// <summary>The character alphabet of its tokenizer.</summary>
    public string Alphabet { get; }

    /// <summary>The trunk's configuration.</summary>
    public TransformerConfig Config => _model.Config;

    /// <summary>The trainable parameters.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> Parameters() => _model.parameters();

    /// <summary>Rewards [B] of the responses (each ending with eos); without <paramref name="withGradient"/> no graph is kept.</summary>
    public Tensor Score(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, int padId, bool withGradient)
    {
        ArgumentNullException.ThrowIfNull(responses);
        using var grad = withGradient ? null : no_grad();
        using var scope = NewDisposeScope();
        var values = _model.Values(prompts, responses, padId, withGradient);
        var last = tensor(responses.Select(r => (long)Math.Max(0, r.Count - 1)).ToArray(), device: values.device).unsqueeze(1);
        return values.gather(1, last).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Writes <c>reward_model/</c> into <paramref name="runDirectory"/>: weights, the trunk's config and the marker, each atomically.</summary>
    public void Save(string runDirectory, JsonObject facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        string dir = Path.Combine(runDirectory, Folder);
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllBytes(Path.Combine(dir, WeightsFile),
            SafeTensors.Encode(PolicyCheckpoint.ExportWeights(_model), new Dictionary<string, string> { ["format"] = "pt", ["rewire_model"] = "reward_model" }));
        AtomicFile.WriteAllBytes(Path.Combine(dir, PolicyCheckpoint.ConfigFile), Encoding.UTF8.GetBytes(Config.ToJson()));
        var marker = new JsonObject { ["kind"] = "reward_model", ["name"] = Name, ["task"] = Task, ["alphabet"] = Alphabet };
        foreach (var (k, v) in facts) marker[k] = v?.DeepClone();
        AtomicFile.WriteAllText(Path.Combine(dir, MarkerFile), marker.ToJsonString());
    }

    /// <summary>
    /// The reward model of a run folder (or of its reward_model/ folder). Anything that is not a reward model saved by
    /// stage=rm is refused with a <see cref="ConfigurationException"/> that names the file.
    /// </summary>
    public static RewardModel Load(string run)
    {
        ArgumentNullException.ThrowIfNull(run);
        string dir = Path.GetFileName(Path.TrimEndingDirectorySeparator(run)) == Folder ? run : Path.Combine(run, Folder);
        string marker = Path.Combine(dir, MarkerFile);
        ConfigurationException Refuse(string file, string why) =>
            new([$"'reward.model' = '{run}' is not a reward model: {file} {why}; give the folder of a `rewire train stage=rm` run"]);
        if (!File.Exists(marker)) throw Refuse(marker, "does not exist");
        JsonObject facts;
        try { facts = JsonNode.Parse(BoundedFile.ReadAllText(marker, "a reward model's marker"))?.AsObject() ?? throw new FormatException("null"); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException) { throw Refuse(marker, "is not a JSON object"); }
        if (facts["kind"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || facts["kind"]!.GetValue<string>() != "reward_model")
            throw Refuse(marker, "does not say kind \"reward_model\"");
        string? name = facts["name"]?.ToString(), task = facts["task"]?.ToString(), alphabet = facts["alphabet"]?.ToString();
        if (name is null || task is null || alphabet is null) throw Refuse(marker, "lacks its name, task or alphabet");
        string config = Path.Combine(dir, PolicyCheckpoint.ConfigFile);
        if (!File.Exists(config)) throw Refuse(config, "does not exist");
        TransformerConfig c;
        try { c = TransformerConfig.FromJson(File.ReadAllText(config)); }
        catch (ArgumentException e) { throw Refuse(config, $"is not a model configuration ({e.Message})"); }
        using var backbone = new TransformerPolicy(c);
        var model = new RewardModel(backbone, name, task, alphabet);
        try
        {
            PolicyCheckpoint.LoadWeights(model._model, Path.Combine(dir, WeightsFile));
        }
        catch (CheckpointException e)
        {
            model.Dispose();
            throw new ConfigurationException([$"'reward.model' = '{run}' is not a usable reward model: {e.Message}"]);
        }
        foreach (var p in model._model.parameters()) p.requires_grad = false;
        model._model.eval();
        return model;
    }

    /// <summary>The trunk-and-head module (for checkpoints of a co-trained reward model).</summary>
    internal ValueModel Module => _model;

    /// <summary>Lets the optimiser change the weights (Cooper's co-training); scoring still runs without gradient.</summary>
    internal void MakeTrainable()
    {
        foreach (var p in _model.parameters()) p.requires_grad = true;
    }

    /// <inheritdoc/>
    public void Dispose() => _model.Dispose();
}
