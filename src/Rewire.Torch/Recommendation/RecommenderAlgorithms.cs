using System.Globalization;
using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Torch.Recommendation;

/// <summary>
/// The sequential recommenders as listed techniques (kind <c>recommender</c>), run with
/// <c>rewire recommend --algo NAME recommend.KEY=VALUE ...</c>.
/// </summary>
public static class RecommenderAlgorithms
{
    /// <summary>The DT4IER paper, as the descriptor cites it.</summary>
    public const string Dt4ierPaper = "Sequential Recommendation for Optimizing Both Immediate Feedback and Long-term Retention (Liu, Liu, Zhang, Cai, Zhao, Zhao, Hu, Jiang, Gai, SIGIR 2024, arXiv 2404.03637)";

    /// <summary>Every listed recommender.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Descriptors { get; } =
    [
        new()
        {
            Kind = TechniqueKinds.Recommender,
            Name = "dt4ier",
            Summary = "DT4IER: a decision transformer recommender trained on logged sessions, conditioned on two returns-to-go (clicks, retention) weighted by user-specific weights from a weight generator (balanced loss), with the bucketed reward embedding and an InfoNCE loss on predicted slate embeddings; evaluated in a user simulator on requested click/retention trade-offs.",
            Paper = Dt4ierPaper,
            Spec = "rewards-and-classic C23",
            DefaultsNote = "The authors' code (Applied-Machine-Learning-Lab/DT4IER): context 30, batch 128, 5 epochs, 100 reward buckets on the anchor grid 0..1393 step 7, InfoNCE with 7 negatives at temperature 0.07, weight generator 64-32-2 with lambda 0.5, Adam 1e-3, 100 epochs, batch 32; AdamW 6e-4, weight decay 0.1 and dropout 0.1 as the decision transformer. RECONSTRUCTED: the network is smaller (width 32, 2 layers, 4 heads) and the simulator small (500 logged users of 10 visits) so that a default run takes a few CPU minutes, states and slates are encoded by linear maps instead of GRUs, the slate is decoded slot by slot from the state token, the anchors are scaled to [0, 1), the causal mask replaces the code's reward mask (which leaks later tokens), and the simulator and the request protocol (targets from the best logged users under the requested clicks share) are this library's.",
            Parameters =
            [
                Integer("categories", 4, "Simulator: item categories.", 2, 64),
                Integer("items_per_category", 4, "Simulator: items per category; item j of a category has clickbait level j/(n-1).", 2, 64),
                Integer("slate", 3, "Simulator: items recommended per step.", 1, 64),
                Integer("horizon", 10, "Simulator: visits per user.", 1, 1000),
                Integer("users", 500, "Logged users (offline trajectories from behaviour policies of mixed quality).", 1, 10_000_000),
                Integer("eval_users", 200, "Fresh simulated users each request is evaluated on.", 1, 10_000_000),
                Choice("conditioning", "both", "both: DT4IER's two weighted return-to-go channels; clicks: a single-channel decision transformer on clicks-to-go (the baseline).", "both", "clicks"),
                Integer("context", 30, "Context length in steps (three tokens per step).", 1, 1000),
                Integer("embedding", 32, "Embedding width (divisible by heads).", 4, 4096),
                Integer("layers", 2, "Transformer layers.", 1, 48),
                Integer("heads", 4, "Attention heads.", 1, 64),
                Number("dropout", 0.1, "Dropout probability.", 0, 0.9),
                Integer("buckets", 100, "Buckets (meta-embeddings) of the reward embedding.", 2, 10_000),
                Integer("batch", 128, "Transformer minibatch size.", 1, 1_000_000),
                Integer("epochs", 5, "Transformer epochs (one window per logged step each).", 0, 10_000),
                Number("learning_rate", 6e-4, "AdamW learning rate of the transformer.", 1e-9, 1),
                Number("weight_decay", 0.1, "AdamW weight decay of the transformer.", 0, 10),
                Number("contrastive_weight", 1, "Weight of the contrastive loss (0: sequence cross-entropy alone).", 0, 100),
                Integer("negatives", 7, "Negative slates per positive in the contrastive loss.", 1, 1000),
                Number("temperature", 0.07, "Temperature of the contrastive loss.", 1e-6, 100),
                Number("lambda", 0.5, "Lambda of the balanced weight-generation loss -(ws Rs + wl Rl) + lambda |ws Rs - wl Rl|.", 0, 100),
                Integer("weight_epochs", 100, "Weight-generator epochs.", 0, 100_000),
                Integer("weight_batch", 32, "Weight-generator minibatch size.", 1, 1_000_000),
                Number("weight_learning_rate", 1e-3, "Adam learning rate of the weight generator.", 1e-9, 1),
                Text("requests", "0.5,1,0", "Requested trade-offs: the clicks share alpha of each (comma-separated, in [0, 1]); a request's target is the mean return pair of the best logged users under alpha*clicks + (1-alpha)*retention (each normalised by its maximum). The first request's returns are the summary's clicks and retention."),
                Number("top_share", 0.1, "Share of logged users averaged into a request's target.", 1e-6, 1),
            ],
            Example = ["recommend", "--algo", "dt4ier", "recommend.users=200", "recommend.eval_users=50", "recommend.horizon=10", "recommend.epochs=1", "recommend.weight_epochs=5", "run.seed=1", "--json"],
        },
    ];

    /// <summary>The names accepted by <c>rewire recommend --algo</c>.</summary>
    public static IReadOnlyList<string> Names => Descriptors.Select(d => d.Name).ToArray();

    /// <summary>Options from checked parameter values (defaults where a value is absent).</summary>
    public static Dt4ierOptions Options(IReadOnlyDictionary<string, string> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int I(string n, int d) => p.TryGetValue(n, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
        double D(string n, double d) => p.TryGetValue(n, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
        var o = new Dt4ierOptions();
        return o with
        {
            Categories = I("categories", o.Categories),
            ItemsPerCategory = I("items_per_category", o.ItemsPerCategory),
            Slate = I("slate", o.Slate),
            Horizon = I("horizon", o.Horizon),
            Users = I("users", o.Users),
            EvalUsers = I("eval_users", o.EvalUsers),
            Conditioning = p.TryGetValue("conditioning", out var c) ? c : o.Conditioning,
            Context = I("context", o.Context),
            Embedding = I("embedding", o.Embedding),
            Layers = I("layers", o.Layers),
            Heads = I("heads", o.Heads),
            Dropout = D("dropout", o.Dropout),
            Buckets = I("buckets", o.Buckets),
            Batch = I("batch", o.Batch),
            Epochs = I("epochs", o.Epochs),
            LearningRate = D("learning_rate", o.LearningRate),
            WeightDecay = D("weight_decay", o.WeightDecay),
            ContrastiveWeight = D("contrastive_weight", o.ContrastiveWeight),
            Negatives = I("negatives", o.Negatives),
            Temperature = D("temperature", o.Temperature),
            Lambda = D("lambda", o.Lambda),
            WeightEpochs = I("weight_epochs", o.WeightEpochs),
            WeightBatch = I("weight_batch", o.WeightBatch),
            WeightLearningRate = D("weight_learning_rate", o.WeightLearningRate),
            Requests = p.TryGetValue("requests", out var r) ? Dt4ierOptions.ParseRequests(r, out _) ?? o.Requests : o.Requests,
            TopShare = D("top_share", o.TopShare),
        };
    }
}
