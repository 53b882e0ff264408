using System.Text.RegularExpressions;
using PetSeg.Lab.Stages;
using PetSeg.Metrics;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// The engine under Workflow/ is generic: it runs whatever stages it is given and never names the lab's stages, the
/// files they write or the metrics they report (those come from Lab/ through Stage's hooks and the comparison schema).
/// </summary>
public sealed class EngineGenericityTests
{
    private static readonly string Library = Path.Combine(RepoFiles.Root, "src", "PetSeg");

    /// <summary>The lab's vocabulary: its stage kinds, every output file name its stages declare, every headline metric's key.</summary>
    private static IReadOnlyList<string> LabWords()
    {
        var words = new List<string>();
        words.AddRange(HeadlineMetrics.All.Select(m => m.Key));
        foreach (var type in typeof(StageIds).Assembly.GetTypes().Where(t => t.Namespace is { } ns &&
                     (ns.StartsWith("PetSeg.Lab", StringComparison.Ordinal) || ns == typeof(PetSeg.Training.Checkpoints.TrainingCheckpoint).Namespace)))
            foreach (var field in type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
                if (field.IsLiteral && field.GetRawConstantValue() is string value && Regex.IsMatch(value, @"^[\w.-]+\.[a-z]{2,12}$"))
                    words.Add(value); // metrics.json, per-image-iou.json, predictions-best.png, …
        words.Add("pipeline.yaml");
        return words.Distinct().ToList();
    }

    /// <summary>A stage kind as the engine would use it: a whole literal, quoted in a message, or the prefix of an id.</summary>
    private static IEnumerable<string> KindPatterns() =>
        StageIds.Kinds.SelectMany(k => new[] { $"\"{k}\"", $"'{k}'", $"{k}-", $"\"{k} " });

    /// <summary>String literals of the engine's code (comments removed: they may give examples).</summary>
    private static IEnumerable<(string File, string Literal)> Literals(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Library, folder), "*.cs", SearchOption.AllDirectories))
        {
            var code = Regex.Replace(File.ReadAllText(file), @"//[^\n]*", "");
            foreach (Match m in Regex.Matches(code, "\"(?:[^\"\\\\\\n]|\\\\.)*\""))
                yield return (Path.GetRelativePath(Library, file), m.Value);
        }
    }

    private static List<string> LabWordsIn(string folder)
    {
        var words = LabWords();
        var literals = Literals(folder).ToList();
        var hits = (from l in literals
                    from w in words
                    where Regex.IsMatch(l.Literal, $@"(?<![\w-]){Regex.Escape(w)}(?![\w])")
                    select $"{l.File}: {l.Literal} names '{w}'")
            .Concat(from l in literals from k in KindPatterns() where l.Literal.Contains(k, StringComparison.Ordinal) select $"{l.File}: {l.Literal} names the stage kind in '{k}'")
            .ToList();
        return hits;
    }

    [Fact]
    public void The_engine_names_no_lab_stage_file_or_metric()
    {
        var hits = LabWordsIn("Workflow");
        Assert.True(hits.Count == 0, string.Join("\n", hits));
    }

    [Fact]
    public void The_scan_finds_the_lab_words_where_they_belong()
    {
        // The scan above must be able to fail: the lab's own code names its kinds, files and metrics.
        Assert.Contains(LabWords(), w => w == "mean_iou");
        Assert.Contains(LabWords(), w => w == "model.safetensors");
        var hits = LabWordsIn("Lab");
        Assert.Contains(hits, h => h.Contains("'metrics.json'", StringComparison.Ordinal));
        Assert.Contains(hits, h => h.Contains("stage kind in '\"train\"'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_engine_uses_no_data_model_metric_or_training_code()
    {
        var assembly = typeof(PetSeg.IO.AtomicFile).Assembly;
        var edges = NamespaceGraph.Build(assembly, LayeringTests.Group);
        string[] domain = ["PetSeg.Data", "PetSeg.Models", "PetSeg.Metrics", "PetSeg.Training", "PetSeg.Inference", "PetSeg.Reporting"];
        var bad = edges.Keys.Where(e => e.From.StartsWith("PetSeg.Workflow", StringComparison.Ordinal) && domain.Contains(e.To)).ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad.Select(e => $"{e.From} → {e.To}")));
        Assert.Contains(edges.Keys, e => e.From.StartsWith("PetSeg.Lab", StringComparison.Ordinal) && e.To == "PetSeg.Metrics"); // the reader sees such edges
    }
}
