using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.HuggingFace;
using Rewire.HuggingFace.ChatTemplates;
using Rewire.HuggingFace.Lora;
using Rewire.HuggingFace.Safetensors;
using Rewire.HuggingFace.Tokenization;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Runtime;
using Rewire.Torch.Training;

namespace Rewire.Cli.Serving;

/// <summary>
/// The one model `rewire serve` serves, with what the API needs around it: how text and chat prompts become token ids,
/// the EOS ids, the pad id, and the weight updates (a PEFT adapter, or full weights from a folder). Opened from a
/// Hugging Face folder (as `rewire generate` opens one) or from a run folder (its newest checkpoint, as `rewire sample`
/// opens one). Not thread-safe: <see cref="GenerationScheduler"/> is the only caller once serving.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly IDisposable _owner;
    private readonly Func<string, IReadOnlyList<int>> _encode;
    private readonly Func<IEnumerable<int>, string> _decode;
    private readonly ChatTemplate? _chat;
    private readonly HfTokenizer? _hfTokenizer;

    private ServedModel(string id, IPolicy policy, IDisposable owner, IReadOnlyList<int> eos, int padId, Func<string, IReadOnlyList<int>> encode,
        Func<IEnumerable<int>, string> decode, ChatTemplate? chat, HfTokenizer? hfTokenizer, TransformerPolicy? gpt, HfCausalLm? hf)
    {
        Id = id;
        Policy = policy;
        _owner = owner;
        EosIds = eos;
        PadId = padId;
        _encode = encode;
        _decode = decode;
        _chat = chat;
        _hfTokenizer = hfTokenizer;
        Gpt = gpt;
        Hf = hf;
        EvalMode();
    }

    /// <summary>Inference only: no dropout (a LoRA adapter's included) in generation or in the top-log-prob pass.</summary>
    private void EvalMode()
    {
        Gpt?.Model.eval();
        Hf?.eval();
    }

    /// <summary>The name /v1/models lists (the folder's name); requests may name any model.</summary>
    public string Id { get; }

    public IPolicy Policy { get; }

    public IReadOnlyList<int> EosIds { get; }

    public int PadId { get; }

    public int ContextLength => Policy.ContextLength;

    public int VocabSize => Policy.VocabSize;

    public TransformerPolicy? Gpt { get; }

    public HfCausalLm? Hf { get; }

    public bool HasChatTemplate => _chat is not null && _hfTokenizer is not null;

    /// <summary>The name of the adapter loaded through /v1/load_lora_adapter, or null.</summary>
    public string? ActiveAdapter { get; private set; }

    /// <summary>A Hugging Face folder (config.json, tokenizer.json, safetensors) or a run folder made by `rewire train`.</summary>
    public static ServedModel Open(string path)
    {
        string full = Path.GetFullPath(path);
        string id = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
        if (Directory.Exists(Path.Combine(full, "checkpoints")) && File.Exists(Path.Combine(full, "config.json"))) return OpenRun(full, id);
        if (File.Exists(Path.Combine(full, HfTokenizer.FileName))) return OpenHuggingFace(full, id);
        throw new HuggingFaceInputException($"{path} is neither a Hugging Face model folder (config.json, tokenizer.json, *.safetensors) nor a run folder made by `rewire train` (config.json, checkpoints/); pass one of those to --model");
    }

    private static ServedModel OpenHuggingFace(string dir, string id)
    {
        TorchRuntime.EnsureLoaded();
        var model = HfModel.Load(dir);
        var policy = new HfPolicy(model.Network);
        var tokenizer = model.Tokenizer;
        return new ServedModel(id, policy, model, model.EosTokenIds, model.PadId, text => tokenizer.Encode(text, addSpecialTokens: true),
            ids => tokenizer.Decode(ids, skipSpecialTokens: true), ChatTemplate.Load(dir), tokenizer, null, model.Network);
    }

    private static ServedModel OpenRun(string dir, string id)
    {
        var run = RunDirectory.Open(dir);
        var config = TrainConfiguration.FromRunConfig(BoundedFile.ReadAllText(run.ConfigFile, "the run's configuration"), run.ConfigFile);
        string latest = TrainingCheckpoint.Latest(run.CheckpointDir)
                        ?? throw new CheckpointException($"{run.Path} has no checkpoint yet; train first (rewire train) or wait for the first checkpoint");
        var session = PolicySession.Create(config.Options);
        try
        {
            session.LoadWeights(latest);
            var tokenizer = session.Tokenizer;
            var template = session.Template;
            if (session.HuggingFace is { } hf)
                return new ServedModel(id, session.Policy, session, session.Generation.StopTokens, tokenizer.PadId, text => hf.Tokenizer.Encode(text, addSpecialTokens: true),
                    ids => hf.Tokenizer.Decode(ids, skipSpecialTokens: true), ChatTemplate.Load(config.Options.Model.Path), hf.Tokenizer, null, hf.Network);
            // The small GPT's prompts are its template's: BOS, then the text's characters.
            return new ServedModel(id, session.Policy, session, session.Generation.StopTokens, tokenizer.PadId,
                text => template.AddBos ? [tokenizer.BosId, .. tokenizer.Encode(text)] : tokenizer.Encode(text),
                ids => tokenizer.Decode(ids), null, null, session.Network, null);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Token ids of a text prompt as the model's tokenizer encodes a prompt; <see cref="ArgumentException"/> when it cannot.</summary>
    public IReadOnlyList<int> Encode(string text) => _encode(text);

    /// <summary>Text of generated ids, special tokens skipped.</summary>
    public string Decode(IEnumerable<int> ids) => _decode(ids);

    /// <summary>The conversation rendered with the chat template (with the generation prompt) and encoded.</summary>
    public IReadOnlyList<int> EncodeChat(IReadOnlyList<System.Text.Json.Nodes.JsonObject> messages)
    {
        if (!HasChatTemplate) throw new ArgumentException($"the model '{Id}' has no chat template (chat_template.jinja, or chat_template in tokenizer_config.json); use /v1/completions");
        return ChatPrompt.Build(_chat!, _hfTokenizer!, messages, addGenerationPrompt: true).Ids;
    }

    /// <summary>
    /// Loads a PEFT adapter folder as <paramref name="name"/>: attached on first use (its rank and targets from
    /// adapter_config.json), afterwards copied into the attached adapters, which must have the same rank and targets.
    /// </summary>
    public void LoadLora(string name, string directory)
    {
        var hf = Hf ?? throw new ArgumentException($"the model '{Id}' is not a Hugging Face model; LoRA adapters apply to Hugging Face models (use /update_weights_from_disk for the small GPT)");
        if (!Directory.Exists(directory)) throw new ArgumentException($"lora_path '{directory}' is not a folder this server can read");
        if (hf.Lora is null) PeftAdapter.Load(hf, directory);
        else
        {
            var (options, _) = PeftAdapterConfig.Read(directory);
            if (options.Rank != hf.Lora.Rank || options.Alpha != hf.Lora.Alpha || !options.TargetModules.Order(StringComparer.Ordinal).SequenceEqual(hf.Lora.TargetModules.Order(StringComparer.Ordinal)))
                throw new ArgumentException($"the adapter in '{directory}' has rank {options.Rank}, alpha {options.Alpha} on [{string.Join(", ", options.TargetModules)}], but this server's attached adapters have rank {hf.Lora.Rank}, alpha {hf.Lora.Alpha} on [{string.Join(", ", hf.Lora.TargetModules)}]; restart the server to change them");
            HfAdapterWeights.Load(hf, directory);
        }
        ActiveAdapter = name;
        EvalMode(); // adapters attached just now start in training mode
    }

    /// <summary>Unloads the active adapter <paramref name="name"/>: its B matrices are zeroed, so the base weights compute again.</summary>
    public void UnloadLora(string name)
    {
        if (Hf is null || ActiveAdapter != name) throw new KeyNotFoundException($"no LoRA adapter named '{name}' is loaded");
        using var noGrad = TorchSharp.torch.no_grad();
        foreach (var (n, p) in Hf.AdapterParameters())
            if (n.EndsWith(".lora_B.weight", StringComparison.Ordinal)) p.zero_();
        ActiveAdapter = null;
    }

    /// <summary>Full weights from <paramref name="directory"/>: the small GPT's model.safetensors, or a Hugging Face folder's safetensors.</summary>
    public void ReloadFromDisk(string directory)
    {
        if (!Directory.Exists(directory)) throw new ArgumentException($"model_path '{directory}' is not a folder this server can read");
        if (Gpt is not null)
        {
            string weights = Path.Combine(directory, PolicyCheckpoint.WeightsFile);
            if (!File.Exists(weights)) throw new ArgumentException($"model_path '{directory}' holds no {PolicyCheckpoint.WeightsFile}");
            PolicyCheckpoint.LoadWeights(Gpt.Model, weights);
            return;
        }
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        HfCheckpointLoader.Load(Hf!, checkpoint);
    }

    /// <summary>Disposes the model's owner (the folder's model or the run's session), which owns the policy's network.</summary>
    public void Dispose() => _owner.Dispose();
}
