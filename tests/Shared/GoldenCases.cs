// Shared by the golden-vector runners of every layer (linked into each test project).
// Reads every *.json under REWIRE_GOLDEN_DIR (default: the bundled tests/golden, copied next to the test assembly)
// and says, in one place, which layer owns each reference function (see GoldenLayers).
using System.Globalization;
using System.Text.Json;

namespace Rewire.Golden;

/// <summary>One reference case (schema in tests/golden/README.md).</summary>
public sealed record GoldenCase(
    string Id,
    string Function,
    string File,
    JsonElement Kwargs,
    JsonElement Config,
    JsonElement Inputs,
    JsonElement Outputs,
    JsonElement Error,
    string Note)
{
    public bool ExpectsError => Error.ValueKind == JsonValueKind.Object;
    public string? ErrorType => ExpectsError ? Error.GetProperty("type").GetString() : null;

    public bool HasInput(string name) => Inputs.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;
    public JsonElement Input(string name) => Inputs.GetProperty(name);
    public JsonElement Output(string name) => Outputs.GetProperty(name);

    public double[,] Input2D(string name) => GoldenJson.To2D(Input(name));
    public double[] Input1D(string name) => GoldenJson.To1D(Input(name));
    public double[,] Output2D(string name) => GoldenJson.To2D(Output(name));
    public double OutputScalar(string name) => GoldenJson.ToDouble(Output(name));

    /// <summary>The group index as strings: ints and uids alike, so groups are compared by label, never by position.</summary>
    public string[] IndexInput(string name = "index") =>
        Input(name).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray();

    public double KwDouble(string name, double fallback) => TryGet(Kwargs, name, out var v) && v.ValueKind != JsonValueKind.Null ? GoldenJson.ToDouble(v) : fallback;
    public double? KwDoubleOrNull(string name) => TryGet(Kwargs, name, out var v) && v.ValueKind != JsonValueKind.Null ? GoldenJson.ToDouble(v) : null;
    public bool KwBool(string name, bool fallback) => TryGet(Kwargs, name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;
    public string? KwString(string name) => TryGet(Kwargs, name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    public bool TryConfig(string name, out JsonElement value) => TryGet(Config, name, out value) && value.ValueKind != JsonValueKind.Null;
    public bool TryKwarg(string name, out JsonElement value) => TryGet(Kwargs, name, out value) && value.ValueKind != JsonValueKind.Null;

    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        return obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value);
    }

    public override string ToString() => Id;
}

public static class GoldenJson
{
    public static double ToDouble(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        },
        JsonValueKind.True => 1.0,
        JsonValueKind.False => 0.0,
        _ => throw new FormatException($"expected a number, got {e.ValueKind}"),
    };

    public static double[] To1D(JsonElement e) => e.EnumerateArray().Select(ToDouble).ToArray();

    public static double[,] To2D(JsonElement e)
    {
        var rows = e.EnumerateArray().Select(To1D).ToArray();
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        var result = new double[rows.Length, cols];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < cols; j++) result[i, j] = rows[i][j];
        return result;
    }

    /// <summary>Any nested list of numbers, flattened row-major, with its shape.</summary>
    public static (double[] Values, int[] Shape) ToTensor(JsonElement e)
    {
        var values = new List<double>();
        var shape = new List<int>();
        void Walk(JsonElement x, int depth)
        {
            if (x.ValueKind == JsonValueKind.Array)
            {
                int n = x.GetArrayLength();
                if (shape.Count == depth) shape.Add(n);
                foreach (var c in x.EnumerateArray()) Walk(c, depth + 1);
            }
            else values.Add(ToDouble(x));
        }
        Walk(e, 0);
        return (values.ToArray(), shape.ToArray());
    }
}

public static class GoldenFiles
{
    /// <summary>The variable that names another folder of case files in place of the bundled one.</summary>
    public const string OverrideVariable = "REWIRE_GOLDEN_DIR";

    /// <summary>The folder a runner reads: REWIRE_GOLDEN_DIR when set, else the bundled cases (<see cref="BundledDirectory"/>).</summary>
    public static string Directory()
    {
        var env = Environment.GetEnvironmentVariable(OverrideVariable);
        return string.IsNullOrEmpty(env) ? BundledDirectory() : Path.GetFullPath(env);
    }

    /// <summary>True when REWIRE_GOLDEN_DIR replaces the bundled cases.</summary>
    public static bool Overridden => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OverrideVariable));

    /// <summary>
    /// The cases the repository carries (tests/golden): the copy next to the test assembly (the test projects copy the
    /// folder to golden/ at build time), else tests/golden above it in the source tree. Independent of the working directory.
    /// </summary>
    public static string BundledDirectory()
    {
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "golden");
        if (HoldsCases(besideAssembly)) return besideAssembly;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "golden");
            if (HoldsCases(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            $"No bundled golden cases: neither {besideAssembly} nor tests/golden above {AppContext.BaseDirectory} holds a *.json file. " +
            $"Rebuild the test project (it copies tests/golden next to the assembly) or set {OverrideVariable} to a folder of case files.");
    }

    private static bool HoldsCases(string dir) =>
        System.IO.Directory.Exists(dir) && System.IO.Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Any();

    /// <summary>Every case of the folder a runner reads (<see cref="Directory"/>).</summary>
    public static IReadOnlyList<GoldenCase> LoadAll() => LoadFrom(Directory());

    /// <summary>Every case of the bundled folder, whatever REWIRE_GOLDEN_DIR says.</summary>
    public static IReadOnlyList<GoldenCase> LoadBundled() => LoadFrom(BundledDirectory());

    /// <summary>Every case of every *.json file under <paramref name="dir"/> (recursively, in ordinal path order).</summary>
    public static IReadOnlyList<GoldenCase> LoadFrom(string dir)
    {
        if (!System.IO.Directory.Exists(dir)) throw new InvalidOperationException($"Golden folder {dir} does not exist; point {OverrideVariable} at a folder of case files, or unset it to use the bundled cases.");
        var cases = new List<GoldenCase>();
        foreach (var file in System.IO.Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
                cases.Add(FromJson(c, Path.GetRelativePath(dir, file)));
        }
        if (cases.Count == 0) throw new InvalidOperationException($"Golden folder {dir} holds no case.");
        return cases;
    }

    /// <summary>One case from its JSON object (schema in tests/golden/README.md).</summary>
    public static GoldenCase FromJson(JsonElement c, string file)
    {
        JsonElement Prop(string n) => c.TryGetProperty(n, out var v) ? v.Clone() : default;
        return new GoldenCase(
            c.GetProperty("id").GetString()!, c.GetProperty("function").GetString()!, file,
            Prop("kwargs"), Prop("config"), Prop("inputs"), Prop("outputs"), Prop("error"),
            c.TryGetProperty("note", out var note) && note.ValueKind == JsonValueKind.String ? note.GetString()! : "");
    }

    /// <summary>The tolerance of tests/golden/README.md: |got - expected| &lt;= rel * (1 + |expected|).</summary>
    public static bool Close(double got, double expected, double rel = 1e-9)
    {
        if (double.IsNaN(expected)) return double.IsNaN(got);
        if (double.IsInfinity(expected)) return got == expected;
        return Math.Abs(got - expected) <= rel * (1 + Math.Abs(expected));
    }
}

/// <summary>Which layer implements each reference function: the one map from verl's names to Rewire's layers.</summary>
public static class GoldenLayers
{
    public const string Core = "core";
    public const string Torch = "torch";

    public static readonly IReadOnlyDictionary<string, string> Owner = new Dictionary<string, string>
    {
        ["compute_grpo_outcome_advantage"] = Core,
        ["compute_grpo_vectorized_outcome_advantage"] = Core,
        ["compute_rloo_outcome_advantage"] = Core,
        ["compute_rloo_vectorized_outcome_advantage"] = Core,
        ["compute_opo_outcome_advantage"] = Core,
        ["compute_reinforce_plus_plus_baseline_outcome_advantage"] = Core,
        ["compute_gpg_outcome_advantage"] = Core,
        ["compute_grpo_passk_outcome_advantage"] = Core,
        ["compute_gae_advantage_return"] = Core,
        ["compute_reinforce_plus_plus_outcome_advantage"] = Core,
        ["compute_remax_outcome_advantage"] = Core,
        ["compute_optimal_token_baseline_advantage"] = Core,
        ["compute_multi_turn_optimal_token_baseline_advantage"] = Core,
        ["compute_rewards"] = Core,
        ["AdaptiveKLController.update"] = Core,
        ["masked_sum"] = Core,
        ["masked_mean"] = Core,
        ["masked_var"] = Core,
        ["masked_whiten"] = Core,
        ["agg_loss"] = Torch,
        ["compute_policy_loss_vanilla"] = Torch,
        ["compute_policy_loss"] = Torch,
        ["compute_policy_loss_gspo"] = Torch,
        ["compute_policy_loss_sapo"] = Torch,
        ["compute_policy_loss_gpg"] = Torch,
        ["compute_policy_loss_clip_cov"] = Torch,
        ["compute_policy_loss_kl_cov"] = Torch,
        ["compute_policy_loss_geo_mean"] = Torch,
        ["compute_policy_loss_cispo"] = Torch,
        ["compute_policy_loss_reinforce"] = Torch,
        ["compute_value_loss"] = Torch,
        ["kl_penalty"] = Torch,
        ["compute_entropy_loss"] = Torch,
        ["entropy_from_logits"] = Torch,
        ["calculate_sum_pi_squared_from_logits"] = Torch,
    };
}
