using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// LATR, lookahead tree-based rollouts [T15] ("Lookahead Tree-Based Rollouts for Enhanced Trajectory-Level Exploration
/// in Reinforcement Learning with Verifiable Rewards", arXiv 2510.24302). Per prompt a tree of at most
/// n_kt = round(G·η) branches grows step by step: every live branch appends its top-1 token; a top-m candidate k ≥ 2
/// spawns a new branch iff p_k &gt; τ_abs and p_1 - p_k &lt; τ_rel (capacity n_kt per root; extra candidates are
/// suppressed in order of rank, then row). A child born r steps ago (r in the lookahead windows) is pruned when its r
/// tokens are similar to its parent's over the same window (normalised edit distance &lt; τ_ed, suffix match &gt; τ_sm or
/// ROUGE-L &gt; τ_rl). The tree phase ends when every root is full (≥ n_kt·thr branches, thr = 0.98 - decay·step/N) and no
/// branch is younger than max(r), or at the forced return step; unfinished branches are then continued by ordinary
/// sampling, short roots are filled by duplicating their first branch, and G - n_kt ordinary samples complete the group.
/// Probabilities are those of π_θ at temperature 1; returned log-probs are π_θ's (tree tokens are chosen greedily,
/// so they are slightly off-policy, as in the reference). The tree phase re-encodes each branch's prefix every step
/// (no KV cache): the set of branches changes as they fork and are pruned.
/// </summary>
public sealed class LatrRollout(LatrOptions latr) : IRolloutStrategy
{
    /// <summary>The validated LATR settings.</summary>
    public LatrOptions Options { get; } = latr.Validate();

    /// <inheritdoc />
    public string Name => "latr";

    /// <summary>One branch of a tree (exposed for tests and diagnostics).</summary>
    public sealed class Branch
    {
        /// <summary>Index of the prompt (tree root) the branch belongs to.</summary>
        public required int Root { get; init; }
        /// <summary>Index of the branch it forked from (itself for a root's first branch).</summary>
        public required int Parent { get; init; }
        /// <summary>Tree step at which the branch was born.</summary>
        public required int BirthStep { get; init; }
        /// <summary>Tokens generated on the branch so far.</summary>
        public List<int> Tokens { get; init; } = [];
        /// <summary>log π_θ of each generated token.</summary>
        public List<float> LogProbs { get; init; } = [];
        /// <summary>Entropy of π_θ at each generated position.</summary>
        public List<float> Entropies { get; init; } = [];
        /// <summary>True once the branch emitted a stop token or reached the length limit.</summary>
        public bool Finished { get; set; }
        /// <summary>True when lookahead pruning removed the branch.</summary>
        public bool Pruned { get; set; }
    }

    /// <summary>Counters of one tree phase.</summary>
    public sealed record TreeStats(int Steps, int BranchPoints, int Suppressed, int Compared, int Pruned);

    /// <inheritdoc />
    public RolloutBatch Rollout(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, int groupSize, GenerationOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (groupSize < 1) throw new ArgumentException($"rollout: group_size = {groupSize}; it must be at least 1");
        options.Validate(policy.VocabSize);
        int nkt = (int)Math.Round(groupSize * Options.MixRatio, MidpointRounding.AwayFromZero);
        var (branches, stats) = GrowTree(policy, prompts, nkt, options);

        // Continue unfinished tree branches by ordinary sampling, all in one batch (they all have the same length).
        var open = branches.Where(b => !b.Pruned && !b.Finished && b.Tokens.Count < options.MaxNewTokens).ToList();
        if (open.Count > 0)
        {
            int remaining = options.MaxNewTokens - open[0].Tokens.Count;
            var inputs = open.Select(b => (IReadOnlyList<int>)[.. prompts[b.Root], .. b.Tokens]).ToList();
            var cont = policy.Generate(inputs, options with { MaxNewTokens = remaining }, generator);
            for (int i = 0; i < open.Count; i++)
            {
                open[i].Tokens.AddRange(cont[i].Tokens);
                open[i].LogProbs.AddRange(cont[i].LogProbs);
                open[i].Entropies.AddRange(cont[i].Entropies);
                open[i].Finished = cont[i].Finish == Core.Rewards.FinishReason.Stop;
            }
        }

        var stop = options.StopTokens.ToHashSet();
        var samples = groupSize - nkt > 0 ? new SamplingRollout().Rollout(policy, prompts, groupSize - nkt, options, generator).Groups : null;
        var groups = new IReadOnlyList<GeneratedSequence>[prompts.Count];
        int filled = 0;
        for (int i = 0; i < prompts.Count; i++)
        {
            var group = new List<GeneratedSequence>(groupSize);
            foreach (var b in branches.Where(b => b.Root == i && !b.Pruned).Take(nkt))
                group.Add(new GeneratedSequence([.. prompts[i]], [.. b.Tokens], [.. b.LogProbs], [.. b.Entropies],
                    b.Tokens.Count > 0 && stop.Contains(b.Tokens[^1]) ? Core.Rewards.FinishReason.Stop : Core.Rewards.FinishReason.Length));
            if (Options.FillReturnSequences)
                while (group.Count > 0 && group.Count < nkt) { group.Add(group[0]); filled++; }
            if (samples is not null) group.AddRange(samples[i]);
            groups[i] = group;
        }
        double total = prompts.Count * (double)groupSize;
        var metrics = new Dictionary<string, double>
        {
            ["latr/tree_branches"] = nkt,
            ["latr/tree_steps"] = stats.Steps,
            ["latr/branch_points"] = stats.BranchPoints,
            ["latr/pruning_ratio"] = stats.Compared == 0 ? 0 : (double)stats.Pruned / stats.Compared,
            ["latr/suppress_ratio"] = stats.Suppressed / (total * options.MaxNewTokens),
            ["latr/empty_branch_ratio"] = 1 - branches.Count(b => !b.Pruned) / total,
            ["latr/filled"] = filled,
        };
        return new RolloutBatch(groups, metrics);
    }

    /// <summary>The tree phase alone: every branch ever created (pruned ones flagged) and the counters.</summary>
    public (List<Branch> Branches, TreeStats Stats) GrowTree(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, int nkt, GenerationOptions options)
    {
        TokenGenerator.ValidatePrompts(prompts, policy.VocabSize);
        var branches = new List<Branch>();
        if (nkt <= 0) return (branches, new TreeStats(0, 0, 0, 0, 0));
        for (int i = 0; i < prompts.Count; i++) branches.Add(new Branch { Root = i, Parent = -1, BirthStep = 0 });
        var stop = options.StopTokens.ToHashSet();
        int m = Math.Min(Options.MaxBranchPerToken, policy.VocabSize);
        int maxWindow = Options.LookaheadWindows.Max();
        int n = options.MaxNewTokens, branchPoints = 0, suppressed = 0, compared = 0, pruned = 0, step = 0;
        var perRoot = new int[prompts.Count];
        for (; step < n; step++)
        {
            var live = branches.Where(b => !b.Pruned && !b.Finished).ToList();
            if (live.Count == 0) break;
            float[] topP, topLp, ent;
            long[] topIds;
            using (var scope = NewDisposeScope())
            {
                var logits = policy.NextTokenLogits(live.Select(b => (IReadOnlyList<int>)[.. prompts[b.Root], .. b.Tokens]).ToList(), options.PadId);
                var logp = logits.to(ScalarType.Float32).log_softmax(-1);
                var (vals, ids) = logp.topk(m, dim: -1);
                topLp = vals.data<float>().ToArray();
                topP = vals.exp().data<float>().ToArray();
                topIds = ids.data<long>().ToArray();
                ent = SamplingFilters.Entropy(logp).data<float>().ToArray();
            }

            // Candidates (rank k ≥ 2), collected before any branch grows so children copy the pre-step prefix.
            var candidates = new List<(int Rank, int Row)>();
            for (int r = 0; r < live.Count; r++)
                for (int k = 1; k < m; k++)
                    if (topP[r * m + k] > Options.TauAbs && topP[r * m] - topP[r * m + k] < Options.TauRel) candidates.Add((k, r));
            candidates.Sort((a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.Row.CompareTo(b.Row));
            Array.Clear(perRoot);
            foreach (var b in branches) if (!b.Pruned) perRoot[b.Root]++;
            var children = new List<Branch>();
            foreach (var (rank, row) in candidates)
            {
                var parent = live[row];
                if (perRoot[parent.Root] >= nkt) { suppressed++; continue; }
                perRoot[parent.Root]++;
                branchPoints++;
                int at = row * m + rank;
                var child = new Branch
                {
                    Root = parent.Root, Parent = branches.IndexOf(parent), BirthStep = step,
                    Tokens = [.. parent.Tokens, (int)topIds[at]],
                    LogProbs = [.. parent.LogProbs, topLp[at]],
                    Entropies = [.. parent.Entropies, ent[row]],
                };
                child.Finished = stop.Contains((int)topIds[at]);
                children.Add(child);
            }
            for (int r = 0; r < live.Count; r++)
            {
                int tok = (int)topIds[r * m];
                live[r].Tokens.Add(tok);
                live[r].LogProbs.Add(topLp[r * m]);
                live[r].Entropies.Add(ent[r]);
                if (stop.Contains(tok)) live[r].Finished = true;
            }
            branches.AddRange(children);

            // Lookahead pruning of children born exactly r steps ago (they now hold r tokens from their birth step).
            foreach (var child in branches)
            {
                if (child.Pruned || child.Parent < 0) continue;
                int age = step - child.BirthStep + 1;
                if (!Options.LookaheadWindows.Contains(age)) continue;
                var parent = branches[child.Parent];
                if (parent.Tokens.Count < child.BirthStep + age || child.Tokens.Count < child.BirthStep + age) continue;
                var a = child.Tokens.GetRange(child.BirthStep, age);
                var p = parent.Tokens.GetRange(child.BirthStep, age);
                if (a.Any(stop.Contains) || p.Any(stop.Contains)) continue;
                compared++;
                if (IsSimilar(a, p) && !DiffersInProtected(a, p)) { child.Pruned = true; pruned++; }
            }

            double thr = 0.98 - Options.ThresholdDecay * step / n;
            Array.Clear(perRoot);
            foreach (var b in branches) if (!b.Pruned) perRoot[b.Root]++;
            bool allFull = perRoot.All(c => c >= nkt * thr);
            bool noYoung = branches.All(b => b.Pruned || b.Finished || b.Parent < 0 || step - b.BirthStep + 1 >= maxWindow);
            if ((allFull && noYoung) || step + 1 >= Options.ForceReturnStep) { step++; break; }
        }
        return (branches, new TreeStats(step, branchPoints, suppressed, compared, pruned));
    }

    private bool IsSimilar(List<int> a, List<int> b)
    {
        var sa = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(a);
        var sb = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(b);
        return (Options.TauEditDistance is { } ed && LatrSimilarity.NormalizedEditDistance(sa, sb) < ed)
               || (Options.TauSuffixMatch is { } sm && LatrSimilarity.SuffixMatch(sa, sb) > sm)
               || (Options.TauRougeL is { } rl && LatrSimilarity.RougeL(sa, sb) > rl);
    }

    private bool DiffersInProtected(List<int> a, List<int> b) =>
        Options.ProtectedTokens.Count > 0 && !a.Where(Options.ProtectedTokens.Contains).SequenceEqual(b.Where(Options.ProtectedTokens.Contains));
}
