// The ground-truth utility of a completion for preference experiments: how much of the task's reference answer it gets
// right, item by item. A completion's content is its text without trailing spaces and '=' marks (the padding and the
// marker that the proxy features add carry no content); items are its space-separated tokens. With reference items
// a_1..a_n and content items c_1..c_m, utility = #{i ≤ min(n, m) : c_i = a_i} / max(n, m), in [0, 1], and 1 exactly when
// the content is the reference answer. It is graded where the task's verifier is right-or-wrong, which is what a
// Bradley–Terry labeller needs: pairs differ by how wrong they are.
namespace Rewire.Tasks.Preferences;

/// <summary>The positional item agreement of a completion with the reference answer (see the file header).</summary>
public static class TrueUtility
{
    /// <summary>The text of <paramref name="completion"/> without the trailing padding and marker characters.</summary>
    public static string Content(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return completion.TrimEnd(' ', '=');
    }

    /// <summary>The utility of <paramref name="completion"/> against <paramref name="answer"/>, in [0, 1].</summary>
    public static double Of(string answer, string completion)
    {
        ArgumentNullException.ThrowIfNull(answer);
        string content = Content(completion);
        if (content.Length == 0) return 0;
        var a = answer.Split(' ');
        var c = content.Split(' ');
        int matches = 0;
        for (int i = 0; i < Math.Min(a.Length, c.Length); i++)
            if (string.Equals(a[i], c[i], StringComparison.Ordinal)) matches++;
        return (double)matches / Math.Max(a.Length, c.Length);
    }
}
