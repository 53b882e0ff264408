using System.Text.RegularExpressions;
using PetSeg.Core;
using PetSeg.Lab;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;
using PetSeg.Workflow.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Lab;

/// <summary>
/// The repository's own pipeline.yaml (the lab's 14 experiments) on the smoke profile, end to end through the store:
/// first run, cache hits, one changed parameter, corruption, garbage collection, the lock.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class PipelineEndToEndTests : IDisposable
{
    private readonly TempDir _dir = new();

    private PipelineRunner Runner() => LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"], "smoke"), NullProgressSink.Instance);

    private static HashSet<string> Executed(IEnumerable<StageRun> runs) =>
        runs.Where(r => r.Outcome == StageOutcome.Executed).Select(r => r.Stage).ToHashSet();

    /// <summary>
    /// Masks what differs between machines (numbers, keys, environment values) but keeps every heading, row label and
    /// figure link; the per-breed table's rows, ordered and bolded by their figures, are sorted by name and unbolded.
    /// </summary>
    internal static string Structure(string report)
    {
        var lines = report.Split('\n').Select(line =>
        {
            line = Regex.Replace(line, "xxh128:[0-9a-f]{32}", "xxh128:<key>");
            if (line.StartsWith("- ", StringComparison.Ordinal) && line.Contains(": ")) return line[..(line.IndexOf(": ", StringComparison.Ordinal) + 2)] + "<value>";
            if (line.StartsWith('|')) line = Regex.Replace(Regex.Replace(line, @"(?<![\w-])\d+(\.\d+)?(?![\w-])", "#"), " {2,}", " ");
            return line;
        }).ToList();
        int breeds = lines.IndexOf("## Per breed");
        if (breeds >= 0)
        {
            int first = lines.FindIndex(breeds, l => l.StartsWith("|:--", StringComparison.Ordinal)) + 1, end = lines.FindIndex(first, l => !l.StartsWith('|'));
            var rows = lines.GetRange(first, end - first).Select(l => l.Replace("**", "", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            lines.RemoveRange(first, end - first);
            lines.InsertRange(first, rows);
        }
        return string.Join("\n", lines);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Smoke_profile_runs_the_whole_lab_and_reruns_only_what_changed()
    {
        File.Copy(RepoFiles.Path("pipeline.yaml"), _dir["pipeline.yaml"]);
        var config = PipelineConfigLoader.Load(_dir["pipeline.yaml"], "smoke");
        Assert.Equal(14, config.Experiments.Count);
        Assert.All(Runner().Status(), s => Assert.Equal(Freshness.Stale, s.State));

        // 1. Everything runs once; the report has the lab's structure.
        var first = Runner().Run("report");
        Assert.Equal(first.Count, Executed(first).Count);
        Assert.Equal(1 + 1 + 1 + 14 + 14 + 1, first.Count); // download, weights, preprocess, 14 train, 14 evaluate, report
        var report = File.ReadAllText(_dir["artifacts/report/report.md"]);
        var approvedPath = RepoFiles.Path("tests/PetSeg.Tests/Reporting/Approved/smoke-report.approved.md");
        ApprovedFiles.AssertMatches(approvedPath, Structure(report));
        Assert.Contains($"- PetSeg: {PetSeg.Core.BuildVersion.Text}\n", report); // the build and its commit, as `petseg --version` names them
        Assert.Matches(@"^\d+\.\d+\.\d+", PetSeg.Core.BuildVersion.Text);
        Assert.True(File.Exists(_dir["artifacts/report/loss.png"])); // one chart: every experiment's curve
        Assert.True(File.Exists(_dir["artifacts/report/mean-iou.png"]));
        Assert.False(File.Exists(_dir["artifacts/report/loss-unet-base.png"]));
        Assert.True(File.Exists(_dir["artifacts/report/predictions-best-simple-vit-base.png"]));
        Assert.True(File.Exists(_dir["artifacts/report/predictions-worst-simple-vit-base.png"]));
        Assert.True(File.Exists(_dir["artifacts/report/iou-histogram-simple-vit-base.png"]));
        Assert.True(File.Exists(_dir["pipeline.smoke.lock"]));

        // 2. Nothing changed: every stage is a cache hit, and status agrees.
        Assert.Empty(Executed(Runner().Run("report")));
        Assert.All(Runner().Status(), s => Assert.Equal(Freshness.Fresh, s.State));
        Assert.Equal(["report"], Runner().Status().Where(s => s.Runs).Select(s => s.Stage)); // fresh, yet it refreshes artifacts/report/ (Cake runs it)

        // 3. One learning rate changes: only that experiment's train and evaluate, and the report, rerun.
        var yaml = File.ReadAllText(_dir["pipeline.yaml"]);
        File.WriteAllText(_dir["pipeline.yaml"], yaml.Replace("simple-unet-base:     { model: simple-unet, lr: 0.001 }", "simple-unet-base:     { model: simple-unet, lr: 0.002 }"));
        var status = Runner().Status().Where(s => s.State == Freshness.Stale).ToDictionary(s => s.Stage);
        Assert.Equal(["evaluate-simple-unet-base", "report", "train-simple-unet-base"], status.Keys.Order());
        Assert.Contains("parameter lr: 0.001 → 0.002", status["train-simple-unet-base"].Reasons);
        Assert.Contains("upstream stage 'train-simple-unet-base' is stale", status["evaluate-simple-unet-base"].Reasons);
        Assert.Equal(["evaluate-simple-unet-base", "report", "train-simple-unet-base"], Executed(Runner().Run("report")).Order());

        // 4. The superseded entries are collected.
        var (collected, _) = Runner().CollectGarbage();
        Assert.Equal(3, collected);

        // 5. A corrupted store entry is detected and rebuilt, bit for bit (metrics.json is deterministic), so the report stays a hit.
        var entry = PipelineLock.Read(_dir["pipeline.smoke.lock"]).Stages["evaluate-simple-vit-base"];
        var metrics = Directory.GetFiles(_dir["artifacts/store/objects"], "metrics.json", SearchOption.AllDirectories)
            .Single(f => f.Contains(entry.Key[7..], StringComparison.Ordinal));
        var original = File.ReadAllBytes(metrics);
        File.WriteAllText(metrics, "{}");
        Assert.Equal(["evaluate-simple-vit-base"], Executed(Runner().Run("report")));
        Assert.Equal(original, File.ReadAllBytes(metrics));

        // 6. Rerun one stage alone, forced.
        Assert.Equal(["train-simple-vit-base"], Executed(Runner().Run("train-simple-vit-base", force: true, exclusive: true)));

        // 7. A second run while the store is locked is refused, naming the holder.
        using (StoreLock.Acquire(_dir["artifacts/store"], "test holder"))
        {
            var e = Assert.Throws<StoreLockedException>(() => Runner().Run("report"));
            Assert.Contains($"pid {Environment.ProcessId}", e.Message);
            Assert.Contains("test holder", e.Message);
        }
    }

    [Fact]
    public void Unknown_stage_and_missing_upstream_results_are_clear_errors()
    {
        File.Copy(RepoFiles.Path("pipeline.yaml"), _dir["pipeline.yaml"]);
        Assert.Contains("no stage 'train-nope'", Assert.Throws<PipelineException>(() => Runner().Run("train-nope")).Message);
        var typo = Assert.Throws<PipelineException>(() => Runner().Run("train-unet-bse")).Message;
        Assert.Contains("no stage 'train-unet-bse' (did you mean 'train-unet-base'?)", typo);
        Assert.Contains("groups: train, evaluate", typo);
        Assert.Contains("stage 'preprocess' has no published result yet", Assert.Throws<PipelineException>(() => Runner().Run("train-unet-base", exclusive: true)).Message);
    }

    [Fact]
    public void Experiments_with_identical_resolved_settings_train_once()
    {
        File.WriteAllText(_dir["pipeline.yaml"], """
            dataset: { source: synthetic, synthetic: { count: 12, min_width: 40, max_width: 48, min_height: 40, max_height: 48 } }
            preprocess: { image_size: 32 }
            training: { lr: 0.001, epochs: 1 }
            experiments:
              first: { model: simple-unet }
              same-again: { model: simple-unet, lr: 0.001, title: "declared twice, e.g. in two tables" }
              different: { model: simple-unet, lr: 0.002 }
            """);
        var runs = LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"]), NullProgressSink.Instance).Run("train");
        var train = runs.Where(r => r.Stage.StartsWith("train-", StringComparison.Ordinal)).ToDictionary(r => r.Stage);
        Assert.Equal(train["train-first"].Key, train["train-same-again"].Key);
        Assert.Equal(StageOutcome.Executed, train["train-first"].Outcome);
        Assert.Equal(StageOutcome.CacheHit, train["train-same-again"].Outcome);
        Assert.Equal(StageOutcome.Executed, train["train-different"].Outcome);
        // Each is in the lock under its own name (it was recorded under the first's: exp show and pull missed the second).
        var locked = PipelineLock.Read(_dir["pipeline.lock"]).Stages;
        Assert.Equal(locked["train-first"].Key, locked["train-same-again"].Key);
        Assert.Contains("train-different", locked.Keys);
    }

    public void Dispose() => _dir.Dispose();
}
