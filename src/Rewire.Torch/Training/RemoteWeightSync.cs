using System.Text.Json.Nodes;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Generation.Remote;
using Rewire.Torch.Models.HuggingFace;

namespace Rewire.Torch.Training;

/// <summary>
/// Pushes the trainer's weights to the rollout server of <c>rl.rollout=remote</c> (at the start of RL and after every
/// step), each version in its own folder that the server reads:
/// <list type="bullet">
/// <item>LoRA (a <c>model.path</c> run with <c>model.lora.rank</c>): the PEFT adapter (as <c>rewire export --adapter-only</c>
/// writes it), then vLLM's <c>POST /v1/load_lora_adapter {lora_name, lora_path}</c> with a new name per version
/// (<c>rewire-vN</c>), which later requests name as their <c>model</c>; the previous adapter is unloaded
/// (<c>/v1/unload_lora_adapter</c>, best effort);</item>
/// <item>full weights (the small GPT, or a fully fine-tuned Hugging Face model): the weights folder, then SGLang's
/// <c>POST /update_weights_from_disk {model_path}</c>, which <c>rewire serve</c> also answers.</item>
/// </list>
/// Only the newest two versions are kept on disk. <see cref="Version"/> is the policy version (RL steps applied) the server holds.
/// </summary>
public sealed class RemoteWeightSync(RemoteRollout rollout, PolicySession session, string folder)
{
    /// <summary>The policy version the server holds; -1 before the first push.</summary>
    public int Version { get; private set; } = -1;

    /// <summary>Pushes the policy as version <paramref name="version"/>.</summary>
    public void Push(int version)
    {
        string dir = Path.GetFullPath(Path.Combine(folder, $"v{version:D6}"));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        if (session.HuggingFace is { Network.Lora: not null } hf)
        {
            PeftAdapter.Write(hf.Network, dir, session.Options.Model.Path);
            string name = $"rewire-v{version}";
            string previous = rollout.ModelName;
            rollout.Endpoint.Post("v1/load_lora_adapter", new JsonObject { ["lora_name"] = name, ["lora_path"] = dir });
            rollout.ModelName = name;
            if (previous.StartsWith("rewire-v", StringComparison.Ordinal) && previous != name)
            {
                try { rollout.Endpoint.Post("v1/unload_lora_adapter", new JsonObject { ["lora_name"] = previous }); }
                catch (RemoteRolloutException) { } // the server keeps one more adapter; the next request names the new one
            }
        }
        else
        {
            string modelPath = dir;
            if (session.HuggingFace is { } full) modelPath = HfRunCheckpoint.Write(full.Network, dir, session.Options.Model.Path);
            else PolicyCheckpoint.Save(session.Network, dir);
            rollout.Endpoint.Post("update_weights_from_disk", new JsonObject { ["model_path"] = modelPath });
        }
        Version = version;
        foreach (var old in Directory.GetDirectories(folder, "v*").Order(StringComparer.Ordinal).SkipLast(2))
        {
            try { Directory.Delete(old, recursive: true); }
            catch (IOException) { } // a server still reading it; removed at the next push
        }
    }
}
