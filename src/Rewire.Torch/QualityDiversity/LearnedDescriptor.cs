using System.Text.Json.Nodes;
using Rewire.Classic.QualityDiversity;

namespace Rewire.Torch.QualityDiversity;

/// <summary>
/// The behaviour descriptor TAXONS and STAX learn ("Unsupervised Learning and Exploration of Reachable Outcome Space",
/// Paolo et al., ICRA 2020): the latent code of an evaluation's final frame under a <see cref="FrameAutoencoder"/>, and
/// its reconstruction error (the surprise). Codes are cached per evaluation and all dropped after each training, so
/// every descriptor is recomputed with the new weights. The weights (and the last training loss) are the state.
/// </summary>
internal sealed class LearnedDescriptor : IDisposable
{
    private readonly BehaviorSpace _space;
    private readonly Dictionary<long, (double[] Latent, double Error)> _codes = [];

    /// <summary>A fresh autoencoder sized to <paramref name="space"/>'s frames of observations of <paramref name="observationSize"/>.</summary>
    public LearnedDescriptor(BehaviorSpace space, int observationSize, int latentSize, long seed)
    {
        _space = space ?? throw new ArgumentNullException(nameof(space));
        int frame = space.Frame(new float[observationSize]).Length;
        Autoencoder = new FrameAutoencoder(frame, latentSize, seed);
    }

    /// <summary>The autoencoder.</summary>
    public FrameAutoencoder Autoencoder { get; }

    /// <summary>The mean loss of the last training; NaN before any.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>Frames the last training ran on.</summary>
    public int LastTrainingFrames { get; private set; }

    /// <summary>Trainings so far.</summary>
    public int Trainings { get; private set; }

    /// <summary>The latent code of <paramref name="e"/>'s final frame.</summary>
    public double[] Latent(Evaluation e) => Code(e).Latent;

    /// <summary>The reconstruction error of <paramref name="e"/>'s final frame (the surprise).</summary>
    public double Surprise(Evaluation e) => Code(e).Error;

    private (double[] Latent, double Error) Code(Evaluation e)
    {
        if (_codes.TryGetValue(e.Id, out var c)) return c;
        var (latent, error) = Autoencoder.Encode([_space.Frame(e.FinalObservation)]);
        c = (latent[0], error[0]);
        _codes[e.Id] = c;
        return c;
    }

    /// <summary>Trains on the final frames of <paramref name="evaluations"/> and drops every cached code.</summary>
    public void Train(IEnumerable<Evaluation> evaluations, int epochs, Action<int[]> shuffle)
    {
        var frames = evaluations.Select(e => _space.Frame(e.FinalObservation)).ToList();
        LastLoss = Autoencoder.Train(frames, epochs, shuffle);
        LastTrainingFrames = frames.Count;
        Trainings++;
        _codes.Clear();
    }

    /// <summary>Writes the weights, the last loss and the training count into <paramref name="state"/>.</summary>
    public void Save(JsonObject state)
    {
        state["autoencoder"] = Autoencoder.Save();
        state["autoencoder_loss"] = double.IsFinite(LastLoss) ? LastLoss : null;
        state["autoencoder_trainings"] = Trainings;
    }

    /// <summary>Restores what <see cref="Save"/> wrote; <paramref name="owner"/> names the search in the error.</summary>
    public void Restore(JsonObject state, string owner)
    {
        Autoencoder.Restore(state["autoencoder"] as JsonArray ?? throw new ArgumentException($"the saved {owner} state has no 'autoencoder'."));
        LastLoss = state["autoencoder_loss"] is { } l ? l.GetValue<double>() : double.NaN;
        Trainings = state["autoencoder_trainings"]?.GetValue<int>() ?? 0;
        _codes.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => Autoencoder.Dispose();
}
