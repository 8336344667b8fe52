using System.Reflection;
using PublicApiGenerator;

namespace Rewire.Torch.Tests.PublicApi;

/// <summary>
/// The public API of each packaged library matches its approved file (api/NAME.approved.txt): a change to a public
/// signature fails here until the file is updated on purpose (REWIRE_UPDATE_API=1 rewrites the files), so accidental
/// breaking changes are caught and intended ones show up in review as a diff of the approved file.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Libraries => new()
    {
        "Rewire.Core", "Rewire.Tasks", "Rewire.Classic", "Rewire.HuggingFace", "Rewire.Torch",
    };

    private static Assembly Load(string name) => name switch
    {
        "Rewire.Core" => typeof(Rewire.Core.NamedRegistry<>).Assembly,
        "Rewire.Tasks" => typeof(Rewire.Tasks.ITask).Assembly,
        "Rewire.Classic" => typeof(Rewire.Classic.Control.ControlEnvironments).Assembly,
        "Rewire.HuggingFace" => typeof(Rewire.HuggingFace.HuggingFaceInputException).Assembly,
        "Rewire.Torch" => typeof(Rewire.Torch.Training.RewireTrainer).Assembly,
        _ => throw new ArgumentException($"no packaged library named {name}"),
    };

    private static string ApprovedPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rewire.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, $"no Rewire.sln above {AppContext.BaseDirectory}");
        return Path.Combine(dir!.FullName, "api", name + ".approved.txt");
    }

    /// <summary>The public API as text: no assembly attributes (they carry the version), line endings normalised.</summary>
    internal static string PublicApiOf(Assembly assembly) =>
        assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n").TrimEnd() + "\n";

    [Theory]
    [MemberData(nameof(Libraries))]
    public void ThePublicApiMatchesTheApprovedFile(string library)
    {
        string path = ApprovedPath(library);
        string actual = PublicApiOf(Load(library));
        string? approved = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
        if (actual != approved && Environment.GetEnvironmentVariable("REWIRE_UPDATE_API") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string tmp = path + ".tmp";
            File.WriteAllText(tmp, actual);
            File.Move(tmp, path, overwrite: true);
            approved = actual;
        }
        Assert.True(approved is not null, $"{path} is missing: run `REWIRE_UPDATE_API=1 dotnet test tests/Rewire.Torch.Tests -c Release --filter FullyQualifiedName~PublicApi` once and commit it");
        Assert.True(actual == approved,
            $"the public API of {library} differs from {path}:\n{FirstDifference(approved!, actual)}\n" +
            "If the change is intended, run `REWIRE_UPDATE_API=1 dotnet test tests/Rewire.Torch.Tests -c Release --filter FullyQualifiedName~PublicApi`, " +
            "review the diff of api/ and note breaking changes in CHANGELOG.md.");
    }

    [Fact]
    public void AChangedSignatureIsADifference()
    {
        // The check can fail: the API text of an assembly includes each public member's signature.
        string api = PublicApiOf(typeof(Rewire.Torch.Training.RewireTrainer).Assembly);
        Assert.Contains("public Rewire.Torch.Training.TrainingResult Train(string outputDirectory = \"runs\", System.Threading.CancellationToken cancel = default)", api);
        Assert.Contains("public sealed class RewireTrainer", api);
        Assert.DoesNotContain("EventObserver", api); // private types are not part of it
    }

    /// <summary>The first differing line of each text, with its number.</summary>
    private static string FirstDifference(string approved, string actual)
    {
        var a = approved.Split('\n');
        var b = actual.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "(end of file)", y = i < b.Length ? b[i] : "(end of file)";
            if (x != y) return $"line {i + 1}: approved `{x.Trim()}`, actual `{y.Trim()}`";
        }
        return "(the texts differ only in line endings)";
    }
}
