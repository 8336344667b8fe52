using System.Text.Json.Nodes;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// The offline stand-in for Auto MC-Reward's language-model Reward Designer on the key–door grid world, so the
/// designer–critic–analyser loop runs and is tested without a model. It follows a fixed script that reacts to the
/// feedback as a designer would: its first draft reads an inventory field the observation does not have (the critic
/// rejects it); the revision rewards approaching the key; when the analysis says the agent holds the key but never
/// reaches the door (or passes it but misses the goal), it rewards approaching the current sub-goal (key, door, goal).
/// Every version's sparse part is the goal.
/// </summary>
public sealed class ScriptedRewardDesigner : IRewardDesigner, IStatefulTechnique
{
    private int _version;

    private const string Sparse = """
        def sparse(obs):
            # Task reward: reaching the goal.
            return 1.0 if obs["next_x"] == obs["goal_x"] and obs["next_y"] == obs["goal_y"] else 0.0

        """;

    /// <inheritdoc />
    public JsonObject SaveState() => new() { ["version"] = _version };

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _version = state["version"]?.GetValue<int>() ?? throw new ArgumentException("the saved designer state has no 'version'.");
    }

    /// <inheritdoc />
    public RewardCode Propose(DesignerInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _version++;
        if (input.Previous is null && input.CriticFeedback is null)
            return new RewardCode(_version, Sparse + """
                def dense(obs):
                    # Reward holding the key (draft).
                    return 1.0 if obs["inventory"] > 0 else 0.0
                """, "First draft: reward holding the key.");
        if (input.Analysis is null || input.Analysis.Contains("never finds the key", StringComparison.Ordinal))
            return new RewardCode(_version, Sparse + """
                def dense(obs):
                    # Approach the key: +1 when the distance to the key shrinks, -1 when it grows.
                    if obs["has_key"] > 0:
                        return 0.0
                    before = abs(obs["x"] - obs["key_x"]) + abs(obs["y"] - obs["key_y"])
                    after = abs(obs["next_x"] - obs["key_x"]) + abs(obs["next_y"] - obs["key_y"])
                    return before - after
                """, "Reward approaching the key (the critic asked for observation fields only).");
        return new RewardCode(_version, Sparse + """
            def target(x, has_key, obs):
                if has_key == 0:
                    return obs["key_x"], obs["key_y"]
                if x < obs["door_x"]:
                    return obs["door_x"], obs["door_y"]
                return obs["goal_x"], obs["goal_y"]

            def dense(obs):
                # Approach the current sub-goal: the key, then the door, then the goal.
                tx, ty = target(obs["x"], obs["has_key"], obs)
                before = abs(obs["x"] - tx) + abs(obs["y"] - ty)
                after = abs(obs["next_x"] - tx) + abs(obs["next_y"] - ty)
                if obs["next_has_key"] > obs["has_key"]:
                    return 1.0
                return before - after
            """, "The analysis says the agent stalls after the key: reward approaching the current sub-goal.");
    }
}
