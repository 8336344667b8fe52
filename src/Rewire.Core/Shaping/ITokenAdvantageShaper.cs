namespace Rewire.Core.Shaping;

/// <summary>A token-level advantage transform, applied in place after advantages are estimated.</summary>
public interface ITokenAdvantageShaper
{
    /// <summary>The registry name.</summary>
    string Name { get; }

    /// <summary>Transforms <see cref="TokenAdvantageBatch.Advantages"/> in place.</summary>
    void Apply(TokenAdvantageBatch batch);
}
