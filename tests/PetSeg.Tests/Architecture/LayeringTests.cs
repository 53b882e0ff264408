using PetSeg.Tests.Support;
using Xunit.Abstractions;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// The library is a ladder: Core ← IO ← Compute ← Data, Models, Metrics ← Training ← Inference ← Reporting ← Workflow ← Lab;
/// inside Workflow (the generic engine) Store ← Remote ← Stages ← Graph ← Runner ← Comparison ← Cluster, inside Lab (the
/// lab's pipeline on it) Config ← Stages ← the pipeline's definition. A namespace may use its own rung and the rungs below,
/// never one above and never a sibling on its own rung; this test reads the compiled types and fails on such an edge.
/// </summary>
public sealed class LayeringTests(ITestOutputHelper output)
{
    private static readonly (string Prefix, double Rung)[] Ladder =
    [
        ("PetSeg.Core", 0), ("PetSeg.IO", 1), ("PetSeg.Compute", 1.5),
        ("PetSeg.Data", 2), ("PetSeg.Models", 2.1), ("PetSeg.Metrics", 2.2),
        ("PetSeg.Training", 3), ("PetSeg.Inference", 4), ("PetSeg.Reporting", 5),
        ("PetSeg.Workflow.Store", 6.0), ("PetSeg.Workflow.Remote", 6.1), ("PetSeg.Workflow.Stages", 6.2), ("PetSeg.Workflow.Graph", 6.3),
        ("PetSeg.Workflow.Runner", 6.4), ("PetSeg.Workflow.Comparison", 6.45), ("PetSeg.Workflow.Cluster", 6.5),
        ("PetSeg.Lab.Config", 7.0), ("PetSeg.Lab.Stages", 7.1), ("PetSeg.Lab", 7.2),
    ];

    /// <summary>The ladder rung a namespace belongs to (its longest matching prefix), or null outside the ladder.</summary>
    public static string? Group(string ns) =>
        Ladder.Where(l => ns == l.Prefix || ns.StartsWith(l.Prefix + ".", StringComparison.Ordinal))
            .OrderByDescending(l => l.Prefix.Length).Select(l => l.Prefix).FirstOrDefault();

    private static double Rung(string group) => Ladder.First(l => l.Prefix == group).Rung;

    [Fact]
    public void Every_namespace_uses_only_the_rungs_below_it()
    {
        var assembly = typeof(PetSeg.IO.AtomicFile).Assembly;
        var edges = NamespaceGraph.Build(assembly, Group);
        foreach (var ((from, to), n) in edges) output.WriteLine($"{from} → {to} ({n})");
        var up = edges.Keys.Where(e => Rung(e.To) >= Rung(e.From)).ToList();
        Assert.True(up.Count == 0, "edges that point up or sideways:\n" + string.Join("\n", up.Select(e =>
            $"{e.From} → {e.To}:\n    " + string.Join("\n    ", NamespaceGraph.Witnesses(assembly, Group, e.From, e.To).Take(8)))));
    }

    [Fact]
    public void Every_namespace_of_the_library_is_on_the_ladder()
    {
        var outside = typeof(PetSeg.IO.AtomicFile).Assembly.GetTypes()
            .Select(t => t.Namespace).Where(n => n is not null && n.StartsWith("PetSeg", StringComparison.Ordinal) && Group(n) is null)
            .Distinct().ToList();
        Assert.Empty(outside);
    }

    [Fact]
    public void The_graph_reader_sees_a_use_inside_a_method_body()
    {
        // Evaluator's body calls ConfusionMatrix: an edge Inference → Metrics must be seen, or the test above is blind.
        var edges = NamespaceGraph.Build(typeof(PetSeg.IO.AtomicFile).Assembly, Group);
        Assert.True(edges.ContainsKey(("PetSeg.Inference", "PetSeg.Metrics")));
    }

    [Fact]
    public void Namespaces_mirror_folders()
    {
        var src = Path.Combine(RepoFiles.Root, "src", "PetSeg");
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")))
        {
            var expected = "PetSeg" + string.Concat(Path.GetRelativePath(src, Path.GetDirectoryName(file)!).Split('/').Where(p => p != ".").Select(p => "." + p));
            var ns = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("namespace ", StringComparison.Ordinal));
            if (ns is not null && ns.TrimEnd(';') != "namespace " + expected) wrong.Add($"{Path.GetRelativePath(src, file)}: {ns} (expected {expected})");
        }
        Assert.Empty(wrong);
    }
}
