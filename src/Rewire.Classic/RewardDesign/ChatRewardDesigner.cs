using System.Text;
using System.Text.Json.Nodes;
using Rewire.Core.Techniques;
using System.Text.RegularExpressions;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Auto MC-Reward's Reward Designer backed by a language model ("Auto MC-Reward", Li et al., CVPR 2024) through any
/// OpenAI-compatible chat endpoint (<see cref="ChatAnnotator.Ask"/>): the prompt gives the task, the observation fields
/// the code may read, the required form (<c>sparse(obs)</c> and <c>dense(obs)</c>, only <c>import math</c>), the previous
/// version, the critic's feedback and the trajectory analysis; the answer's first fenced Python block (or the whole
/// answer) is the new version. A failed query yields empty code, which the critic rejects (and the designer retries).
/// </summary>
public sealed partial class ChatRewardDesigner(ChatAnnotator chat) : IRewardDesigner, IStatefulTechnique
{
    private readonly ChatAnnotator _chat = chat ?? throw new ArgumentNullException(nameof(chat));
    private int _version;

    [GeneratedRegex(@"```(?:python|py)?\s*\n(.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex CodeBlock();

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
        var user = new StringBuilder();
        user.Append("Task: ").Append(input.Task).Append('\n');
        user.Append("Each step's observation `obs` is a dict with the numeric fields: ").Append(string.Join(", ", input.Fields)).Append(".\n");
        user.Append("Write Python defining `sparse(obs)` (the task reward: its sign is used, weight 1) and `dense(obs)` (shaping: its sign is used, weight 0.1). ");
        user.Append("Use only those fields and, if needed, `import math`. Explain your reasoning in comments.\n");
        if (input.Previous is { } prev) user.Append("Previous version:\n```python\n").Append(prev.Code).Append("\n```\n");
        if (input.CriticFeedback is { } fb) user.Append("The reward critic rejected the last version: ").Append(fb).Append('\n');
        if (input.Analysis is { } an) user.Append("Analysis of the agent's trajectories under the current version: ").Append(an).Append('\n');
        user.Append("Answer with one ```python code block.");
        string? answer = _chat.Ask("You design dense reward functions for reinforcement-learning agents.", user.ToString());
        if (answer is null) return new RewardCode(_version, "", "the designer's query failed");
        var m = CodeBlock().Match(answer);
        return new RewardCode(_version, (m.Success ? m.Groups[1].Value : answer).Trim() + "\n", "written by the language model");
    }
}
