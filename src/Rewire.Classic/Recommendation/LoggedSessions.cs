namespace Rewire.Classic.Recommendation;

/// <summary>
/// Logged offline trajectories: per user, the observed states, the recommended slates and both reward channels, as the
/// behaviour policies of <see cref="BehaviourPolicy"/> produced them. Deterministic in the seed.
/// </summary>
public sealed class LoggedSessions
{
    /// <summary>The simulator shape.</summary>
    public required RecommenderSimOptions Options { get; init; }

    /// <summary>[user][step][state feature].</summary>
    public required double[][][] States { get; init; }

    /// <summary>[user][step][slot] item ids.</summary>
    public required int[][][] Actions { get; init; }

    /// <summary>[user][step] clicks (immediate reward).</summary>
    public required double[][] Clicks { get; init; }

    /// <summary>[user][step] retention reward.</summary>
    public required double[][] Retention { get; init; }

    /// <summary>[user] observable features.</summary>
    public required double[][] Features { get; init; }

    /// <summary>Users logged.</summary>
    public int Users => States.Length;

    /// <summary>Per-user total clicks.</summary>
    public double[] ClickReturns => Clicks.Select(r => r.Sum()).ToArray();

    /// <summary>Per-user total retention reward.</summary>
    public double[] RetentionReturns => Retention.Select(r => r.Sum()).ToArray();

    /// <summary>The seed of user <paramref name="user"/>'s session under <paramref name="seed"/> (the logged users and the evaluation users use different streams).</summary>
    public static ulong UserSeed(int seed, int stream, int user) =>
        Rewire.Core.Sampling.Xoshiro256StarStar.Derive((ulong)(uint)seed, ((ulong)(uint)stream << 32) | (uint)user);

    /// <summary>Logs <paramref name="users"/> sessions, each under its own behaviour policy.</summary>
    public static LoggedSessions Collect(RecommenderSimOptions options, int users, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (users < 1) throw new ArgumentException($"users={users}: at least 1");
        int t = options.Horizon;
        var states = new double[users][][];
        var actions = new int[users][][];
        var clicks = new double[users][];
        var retention = new double[users][];
        var features = new double[users][];
        for (int u = 0; u < users; u++)
        {
            var session = new RecommendationSession(options, UserSeed(seed, 0, u));
            var policy = new BehaviourPolicy(options, UserSeed(seed, 1, u));
            states[u] = new double[t][];
            actions[u] = new int[t][];
            clicks[u] = new double[t];
            retention[u] = new double[t];
            features[u] = session.Features.ToArray();
            for (int s = 0; s < t; s++)
            {
                states[u][s] = session.State();
                actions[u][s] = policy.Slate(session.Features);
                var f = session.Recommend(actions[u][s]);
                clicks[u][s] = f.Clicks;
                retention[u][s] = f.Retention;
            }
        }
        return new LoggedSessions { Options = options, States = states, Actions = actions, Clicks = clicks, Retention = retention, Features = features };
    }
}
