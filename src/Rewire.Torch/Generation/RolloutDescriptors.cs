// The rollout strategies as techniques: `rl.rollout=NAME`, parameters `rollout.<param>`.
using System.Globalization;
using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Torch.Generation;

/// <summary>Descriptors of the rollout strategies and the bridge from resolved parameters to a strategy.</summary>
public static class RolloutDescriptors
{
    /// <summary>
    /// The descriptors of every rollout strategy (<c>sampling</c>, <c>latr</c>, <c>remote</c>, <c>agent_rlvr</c>, <c>mobile_r1</c>) with their
    /// <c>rollout.*</c> parameters.
    /// </summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        new()
        {
            Kind = TechniqueKinds.Rollout, Name = "sampling", Summary = "G independent samples per prompt at the rollout temperature",
            Paper = "DeepSeekMath (arXiv 2402.03300)", Spec = "rlvr T01",
            Example = ["train", "rl.rollout=sampling", "rl.steps=3", "sft.steps=150", "task.test_size=50", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.Rollout, Name = "latr", Summary = "lookahead tree rollouts: branch at uncertain tokens, prune branches that stay similar",
            Paper = "LATR (arXiv 2510.24302)", Spec = "rlvr T15",
            DefaultsNote = "the countdown settings of the paper's scripts; lookahead windows 4 and 8 instead of 20/30/50 so that they fit answers of ~10 tokens (the windows are a fraction of the paper's 512-token budget there)",
            Parameters =
            [
                Number("mix_ratio", 1.0, "η: share of the group grown as a tree (the rest are ordinary samples)", 0, 1),
                Integer("max_branch_per_token", 2, "m: top-m candidates tested at each step", 1, 64),
                Number("tau_abs", 0.25, "τ_abs: a candidate branches when its probability exceeds this", 0, 1),
                Number("tau_rel", 0.15, "τ_rel: ... and is within this of the top token's probability", 0, 1),
                Text("lookahead_windows", "4,8", "r: windows (tokens after birth) at which a child is compared with its parent"),
                Number("tau_edit_distance", 0.4, "prune a child whose normalised edit distance to its parent is below this (0 = off)", 0, 1),
                Number("threshold_decay", 0.05, "decay of the 'full tree' threshold over the generation budget", 0, 1),
                Integer("force_return_step", 512, "end the tree phase at this step at the latest", 1, 1_000_000),
                Boolean("fill_return_sequences", true, "fill short trees by duplicating their first branch"),
            ],
            Example = ["train", "rl.rollout=latr", "rl.steps=3", "sft.steps=150", "task.test_size=50", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.Rollout, Name = "remote",
            Summary = "G samples per prompt from an OpenAI-compatible server (rewire serve, vLLM, SGLang); the trainer recomputes log π_old, truncated importance sampling corrects the mismatch, weights are pushed after every step",
            Paper = "Your Efficient RL Framework Secretly Brings You Off-Policy RL Training (Yao et al. 2025)",
            DefaultsNote = "tis_cap 2 as verl's rollout_is_threshold and TRL's vllm_importance_sampling_cap; the example needs a server: start `rewire serve --model RUN --port 8000` on a run of the same task first (docs/serving.md)",
            Parameters =
            [
                Text("endpoint", "", "base URL of the server, e.g. http://127.0.0.1:8000 (required)"),
                Text("model", "", "the model name sent with each request (empty: the server's first /v1/models id; a pushed LoRA adapter's name after each step)"),
                Number("timeout_seconds", 600, "seconds one HTTP attempt may take", 1, 86_400),
                Integer("retries", 3, "retries of a request that failed to connect, timed out or got a 5xx/429 (then the run stops with a checkpoint)", 0, 100),
                Number("backoff_seconds", 1, "wait before the first retry, doubled before each further one", 0, 600),
                Number("tis_cap", 2, "C: per-token importance weight min(π_old/π_rollout, C)", 1, 1e6),
                Text("weights_dir", "", "folder each weight version is written to for the server to read (empty: the run folder's rollout-weights/)"),
            ],
            Example = ["train", "rl.rollout=remote", "rollout.endpoint=http://127.0.0.1:8000", "rl.steps=3", "sft.steps=150", "task.test_size=50", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.Rollout, Name = "agent_rlvr",
            Summary = "Agent-RLVR guidance for episodes (rl.environment): a group in which every episode failed is re-rolled with the environment's plan hint in front of its first observation; the guided attempts join the group and are scored under the unguided prompt, each token weighted by the truncated ratio min(π_old(a|x)/π_old(a|hint, x), C)",
            Paper = "Agent-RLVR: Training Software Engineering Agents via Guidance and Environment Rewards (Da et al., arXiv 2506.11425)",
            DefaultsNote = "RECONSTRUCTED: the paper re-attempts failed tasks with guidance and trains on the guided trajectories with DPO (guided successes preferred to failures) on a 72B model; here the guided attempts join their all-fail group in the online GRPO step, so a guided success is contrasted with the failures as in its pairs. "
                + "The hint is the environment's plan (its scripted expert without mistakes). A guided trajectory trains the policy for the unguided prompt: the rows' prompt is the unguided one, their old log-probs are recomputed without the hint (so the clipped ratio is the usual on-policy one) and the behaviour log-probs under the hint enter the truncated importance weight (as the authors' Guide method corrects its ratio for the hint); "
                + "C = 2 as verl's and TRL's truncated importance sampling. The small GPT learns to read hints only if its warm start shows some: the example sets env.demo_hint_share=0.5",
            Parameters =
            [
                Number("tis_cap", 2, "C: per-token weight min(π_old(a|x)/π_old(a|hint, x), C) of a guided attempt", 1, 1e6),
                Boolean("keep_failures", true, "true: a re-rolled group is its G failures followed by the G guided attempts; false: the guided attempts alone"),
            ],
            Example = ["train", "rl.environment=maze", "rl.rollout=agent_rlvr", "env.demo_hint_share=0.5", "env.max_turns=16", "rl.max_new_tokens=3",
                "env.max_observation_tokens=8", "rl.sampler=uniform", "rl.prompts_per_step=4", "rl.group_size=4", "task.train_size=200", "sft.steps=100",
                "rl.steps=2", "task.test_size=20", "eval.samples=1", "eval.pass_k=1", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.Rollout, Name = "mobile_r1",
            Summary = "Mobile-R1's staged rewards for episodes (rl.environment): after the warm start (format fine-tuning), rollout.action_steps RL steps of single next-turn actions sampled at random states of the environment's expert trajectories, rewarded R_action = R_Act (match with the expert's action) + R_Fmt (a well-formed action), GRPO over the G actions of a state; then whole episodes with the task-level reward",
            Paper = "Mobile-R1: Towards Interactive Reinforcement Learning for VLM-Based Mobile Agent via Task-Level Rewards (Gu et al., arXiv 2506.20332)",
            DefaultsNote = "R_action = R_Act + R_Fmt with binary parts (weights 1) as in the paper; R_Act is the exact match of non-coordinate actions, R_Fmt the environment's action format and a finished turn. "
                + "RECONSTRUCTED: the paper's annotated trajectories are the environment's scripted expert (IExpertEnvironment: maze, guess), one state per start drawn uniformly along the expert's trajectory; "
                + "action_steps 0 means half of rl.steps (the paper trains each stage to its own budget and gives no ratio); the task-level stage's reward is the environment's return (the paper's trajectory reward is a judge's task completion plus format). "
                + "Shapers act in the task-level stage only",
            Parameters =
            [
                Integer("action_steps", 0, "N: RL steps of the action-level stage before the task-level stage (0: half of rl.steps)", 0, 1_000_000),
                Number("format_weight", 1, "weight of R_Fmt (1 if the action is well-formed and ended its turn)", 0, 1e6),
                Number("action_weight", 1, "weight of R_Act (1 if the action is the expert's)", 0, 1e6),
            ],
            Example = ["train", "rl.environment=maze", "rl.rollout=mobile_r1", "rollout.action_steps=1", "env.max_turns=16", "rl.max_new_tokens=3",
                "env.max_observation_tokens=8", "rl.sampler=uniform", "rl.prompts_per_step=4", "rl.group_size=4", "task.train_size=200", "sft.steps=100",
                "rl.steps=2", "task.test_size=20", "eval.samples=1", "eval.pass_k=1", "--json"],
        },
    ];

    /// <summary>The strategy named by <paramref name="t"/> with its resolved parameters.</summary>
    public static IRolloutStrategy Create(ResolvedTechnique t)
    {
        // agent_rlvr samples each turn as `sampling` does; its re-rolls of all-fail groups are the episode collector's (AgentGuidance).
        // mobile_r1 samples too; its action-level stage is a collector of its own (ActionLevelCollector).
        if (t.Name is "sampling" or "agent_rlvr" or "mobile_r1") return new SamplingRollout();
        if (t.Name == "remote") return new Remote.RemoteRollout(RemoteOptions(t));
        if (t.Name != "latr") throw new ArgumentException($"no rollout strategy '{t.Name}'; valid: sampling, latr, remote, agent_rlvr, mobile_r1");
        double edit = t.Double("tau_edit_distance");
        return new LatrRollout(new LatrOptions
        {
            MixRatio = t.Double("mix_ratio"),
            MaxBranchPerToken = t.Int("max_branch_per_token"),
            TauAbs = t.Double("tau_abs"),
            TauRel = t.Double("tau_rel"),
            LookaheadWindows = ParseWindows(t.String("lookahead_windows")),
            TauEditDistance = edit > 0 ? edit : null,
            ThresholdDecay = t.Double("threshold_decay"),
            ForceReturnStep = t.Int("force_return_step"),
            FillReturnSequences = t.Bool("fill_return_sequences"),
        });
    }

    /// <summary>The options of <c>rl.rollout=remote</c>; a missing or malformed endpoint is refused with what to write.</summary>
    public static Remote.RemoteRolloutOptions RemoteOptions(ResolvedTechnique t) => new()
    {
        Endpoint = Remote.RemoteRolloutOptions.ParseEndpoint(t.String("endpoint")),
        Model = t.String("model"),
        TimeoutSeconds = t.Double("timeout_seconds"),
        Retries = t.Int("retries"),
        BackoffSeconds = t.Double("backoff_seconds"),
        TisCap = t.Double("tis_cap"),
        WeightsDirectory = t.String("weights_dir"),
    };

    private static int[] ParseWindows(string text)
    {
        var parts = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        var windows = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out windows[i]) || windows[i] < 1)
                throw new ArgumentException($"rollout.lookahead_windows = '{text}': write positive integers separated by commas, e.g. 4,8");
        return windows;
    }
}
