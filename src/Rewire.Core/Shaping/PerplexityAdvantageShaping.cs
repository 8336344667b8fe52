using Rewire.Core.Stats;

namespace Rewire.Core.Shaping;

/// <summary>
/// Perplexity-based advantage shaping of [T13] ("Decomposing the Entropy-Performance Exchange: The Missing Keys to
/// Unlocking Effective Reinforcement Learning"). RECONSTRUCTED: the mechanism is confirmed, the formula and constants
/// are a reconstruction and configurable. Per response, <c>logPPL_i = −(1/|o_i|) Σ_t m·log π_old(o_i,t)</c>;
/// z_i = (logPPL_i − mean) / std over the response's group (or the whole batch), z = 0 when std = 0; then
/// <c>Â'_i,t = Â_i,t · clip(1 − α·z_i, 1 − c, 1 + c)</c> with α = 0.1, c = 0.5 (c &lt; 1 keeps signs).
/// Low-perplexity responses get larger weight. Masked positions are left untouched; rows without valid tokens are skipped.
/// Apply it in the plateau stage only (the trainer decides when). Requires old log-probs.
/// </summary>
public sealed class PerplexityAdvantageShaping : ITokenAdvantageShaper
{
    /// <summary>Creates the shaper.</summary>
    /// <param name="alpha">α ≥ 0, how strongly a perplexity z-score changes the weight (default 0.1).</param>
    /// <param name="clamp">c ∈ [0, 1), the weight is clipped to [1 − c, 1 + c] (default 0.5; c &lt; 1 keeps signs).</param>
    /// <param name="perGroup">Standardise perplexity within each group (true, default) or over the batch.</param>
    public PerplexityAdvantageShaping(double alpha = 0.1, double clamp = 0.5, bool perGroup = true)
    {
        if (!(alpha >= 0) || !(clamp is >= 0 and < 1))
        {
            throw new ArgumentException($"PPL shaping needs α ≥ 0 and 0 ≤ c < 1 so signs never flip (got α = {alpha}, c = {clamp}).");
        }

        Alpha = alpha;
        Clamp = clamp;
        PerGroup = perGroup;
    }

    /// <inheritdoc />
    public string Name => "ppl_advantage";

    /// <summary>α ≥ 0, how strongly a response's perplexity z-score changes its advantage weight.</summary>
    public double Alpha { get; }

    /// <summary>c ∈ [0, 1): the weight is clipped to [1 − c, 1 + c].</summary>
    public double Clamp { get; }

    /// <summary>Standardise within groups (true) or over the batch (false). <value>The default value is true.</value></summary>
    public bool PerGroup { get; }

    /// <inheritdoc />
    public void Apply(TokenAdvantageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var logProbs = batch.OldLogProbs
            ?? throw new InvalidOperationException("shaper 'ppl_advantage' needs old log-probs; construct TokenAdvantageBatch with oldLogProbs.");
        var rows = batch.Rows;
        var logPpl = new double[rows];
        var valid = new bool[rows];
        for (var i = 0; i < rows; i++)
        {
            var mask = batch.MaskRow(i);
            var lp = logProbs.AsSpan(i * batch.Columns, batch.Columns);
            double sum = 0, count = 0;
            for (var t = 0; t < mask.Length; t++)
            {
                sum += mask[t] * lp[t];
                count += mask[t];
            }

            valid[i] = count > 0;
            logPpl[i] = count > 0 ? -sum / count : 0;
        }

        var labels = PerGroup ? batch.Groups : new int[rows];
        var index = GroupIndex.Build(labels);
        var z = new double[rows];
        for (var g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            double sum = 0;
            var n = 0;
            foreach (var i in members)
            {
                if (valid[i])
                {
                    sum += logPpl[i];
                    n++;
                }
            }

            if (n == 0)
            {
                continue;
            }

            var mean = sum / n;
            double ss = 0;
            foreach (var i in members)
            {
                if (valid[i])
                {
                    ss += (logPpl[i] - mean) * (logPpl[i] - mean);
                }
            }

            var std = Math.Sqrt(ss / n);
            foreach (var i in members)
            {
                z[i] = std > 0 && valid[i] ? (logPpl[i] - mean) / std : 0;
            }
        }

        for (var i = 0; i < rows; i++)
        {
            if (!valid[i])
            {
                continue;
            }

            var factor = Math.Clamp(1 - Alpha * z[i], 1 - Clamp, 1 + Clamp);
            var adv = batch.AdvantageRow(i);
            var mask = batch.MaskRow(i);
            for (var t = 0; t < adv.Length; t++)
            {
                if (mask[t] != 0)
                {
                    adv[t] *= factor;
                }
            }
        }
    }
}
