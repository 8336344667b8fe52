using System.Globalization;
using Rewire.Classic.Recommendation;

namespace Rewire.Torch.Recommendation;

/// <summary>The settings of a DT4IER run (the <c>recommend.*</c> keys; defaults as <see cref="RecommenderAlgorithms"/> lists them).</summary>
public sealed record Dt4ierOptions
{
    /// <summary>Item categories of the simulator.</summary>
    public int Categories { get; init; } = 4;
    /// <summary>Items per category (clickbait levels).</summary>
    public int ItemsPerCategory { get; init; } = 4;
    /// <summary>Items per recommended slate.</summary>
    public int Slate { get; init; } = 3;
    /// <summary>Visits per user.</summary>
    public int Horizon { get; init; } = 10;
    /// <summary>Logged users (offline trajectories).</summary>
    public int Users { get; init; } = 500;
    /// <summary>Fresh users each request is evaluated on.</summary>
    public int EvalUsers { get; init; } = 200;
    /// <summary>both: DT4IER's two return-to-go channels and weights; clicks: a single-channel decision transformer on clicks-to-go.</summary>
    public string Conditioning { get; init; } = "both";
    /// <summary>Context length in steps (three tokens each).</summary>
    public int Context { get; init; } = 30;
    /// <summary>Embedding width.</summary>
    public int Embedding { get; init; } = 32;
    /// <summary>Transformer layers.</summary>
    public int Layers { get; init; } = 2;
    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Dropout probability.</summary>
    public double Dropout { get; init; } = 0.1;
    /// <summary>Return-to-go buckets of the reward embedding.</summary>
    public int Buckets { get; init; } = 100;
    /// <summary>Minibatch size of the transformer.</summary>
    public int Batch { get; init; } = 128;
    /// <summary>Training epochs (one window per logged step each).</summary>
    public int Epochs { get; init; } = 5;
    /// <summary>AdamW learning rate of the transformer.</summary>
    public double LearningRate { get; init; } = 6e-4;
    /// <summary>AdamW weight decay of the transformer.</summary>
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>Weight of the contrastive loss in the total loss.</summary>
    public double ContrastiveWeight { get; init; } = 1.0;
    /// <summary>Negative slates per positive in the contrastive loss.</summary>
    public int Negatives { get; init; } = 7;
    /// <summary>Temperature of the contrastive loss.</summary>
    public double Temperature { get; init; } = 0.07;
    /// <summary>λ of the balanced weight-generation loss.</summary>
    public double Lambda { get; init; } = 0.5;
    /// <summary>Epochs of the weight generator.</summary>
    public int WeightEpochs { get; init; } = 100;
    /// <summary>Minibatch size of the weight generator.</summary>
    public int WeightBatch { get; init; } = 32;
    /// <summary>Adam learning rate of the weight generator.</summary>
    public double WeightLearningRate { get; init; } = 1e-3;
    /// <summary>Requested trade-offs: the clicks share α of each request (comma-separated, each in [0, 1]).</summary>
    public IReadOnlyList<double> Requests { get; init; } = [0.5, 1, 0];
    /// <summary>Share of logged users whose mean return pair is a request's target.</summary>
    public double TopShare { get; init; } = 0.1;

    /// <summary>The simulator shape.</summary>
    public RecommenderSimOptions Simulator => new(Categories, ItemsPerCategory, Slate, Horizon);

    /// <summary>Whether both channels condition the transformer.</summary>
    public bool BothChannels => Conditioning == "both";

    /// <summary>Parses a comma-separated request list; null with <paramref name="problem"/> when it is not one.</summary>
    public static IReadOnlyList<double>? ParseRequests(string text, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = "";
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new List<double>();
        foreach (var p in parts)
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double a) || !(a >= 0 && a <= 1))
            {
                problem = $"'{p}' is not a clicks share in [0, 1]; write the requests like 0.5,1,0";
                return null;
            }
            values.Add(a);
        }
        if (values.Count == 0) { problem = "names no request; write at least one clicks share in [0, 1], like 0.5,1,0"; return null; }
        return values;
    }
}
