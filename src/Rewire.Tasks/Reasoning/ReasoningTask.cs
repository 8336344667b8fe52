// Task: rule-based reasoning over synthetic facts in four domains (family relations, graph reachability, set membership,
// ordering constraints), each question answered "yes" or "no". Domains are drawn uniformly (or restricted by the caller) and
// written to Prompt.Domain, so domain-aware samplers can balance them; answers are balanced 50/50 within each domain.
// Reward = correct ∈ {0, 1}; components: format (exactly "yes" or "no"), correct.
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Reasoning;

/// <summary>Rule-based yes/no reasoning over synthetic facts in four domains (family, graph, sets, ordering), answers balanced 50/50 within each domain. Components: format (exactly "yes" or "no"), correct.</summary>
public sealed class ReasoningTask : TaskBase
{
    private readonly IReasoningDomain[] _domains;

    /// <param name="domains">Restrict to these domain names (default: all four).</param>
    public ReasoningTask(IReadOnlyList<string>? domains = null)
    {
        IReasoningDomain[] all = [new FamilyDomain(), new GraphDomain(), new SetDomain(), new OrderingDomain()];
        if (domains is null) _domains = all;
        else
        {
            _domains = [.. domains.Select(d => all.FirstOrDefault(x => x.Name == d)
                ?? throw new ArgumentException($"unknown reasoning domain '{d}'; valid: {string.Join(", ", all.Select(x => x.Name))}", nameof(domains)))];
            if (_domains.Length == 0) throw new ArgumentException("give at least one reasoning domain", nameof(domains));
        }
    }

    /// <inheritdoc />
    public override string Name => "reasoning";

    /// <inheritdoc />
    protected override string Instruction => "Apply the rules and facts given to decide whether the question holds; reply yes or no.";
    /// <summary>The names of the domains this instance draws from.</summary>
    public override IReadOnlyList<string> Domains => [.. _domains.Select(d => d.Name)];
    /// <summary>3 levels; each domain grows its facts with the level.</summary>
    public override int MaxDifficulty => 3;
    /// <summary>The union of the domains' alphabets and "yesno".</summary>
    public override string Alphabet => new([.. string.Concat(_domains.Select(d => d.Alphabet)).Concat("yesno").Distinct().Order()]);
    /// <inheritdoc />
    protected override int MaxCompletionLength => 8;

    /// <inheritdoc />
    protected override Problem Create(Random random, int difficulty)
    {
        var domain = random.Pick(_domains);
        var answer = random.Next(2) == 0;
        var (canonical, text) = domain.Create(random, difficulty, answer);
        return new Problem(domain.Name + ":" + canonical, text, answer ? "yes" : "no", domain.Name);
    }

    /// <inheritdoc />
    protected override RewardResult Check(Prompt prompt, string completion)
    {
        if (completion is not ("yes" or "no")) return Grade.Malformed("expected exactly 'yes' or 'no'");
        return Grade.Checked(completion == prompt.Answer, "wrong answer");
    }

    /// <inheritdoc />
    protected override string Corrupt(Prompt prompt, Random random) => prompt.Answer == "yes" ? "no" : "yes";
}
