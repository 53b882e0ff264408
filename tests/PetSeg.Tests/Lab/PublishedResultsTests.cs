using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Workflow.Runner;
using PetSeg.Lab.Stages;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Lab;

/// <summary>What a user opens outside the store is what the lock names: the report view and rebuilt data files.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class PublishedResultsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public PublishedResultsTests() => File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);

    private IReadOnlyList<StageRun> Run(string target) =>
        LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"]), NullProgressSink.Instance).Run(target);

    private void SetTitle(string title) =>
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("  title: Tiny\n", $"  title: {title}\n", StringComparison.Ordinal));

    [Fact]
    public void The_report_folder_shows_the_current_key_after_a_run_of_cache_hits()
    {
        Run(StageIds.Report);
        var original = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Contains("Tiny", original);

        SetTitle("Changed title");
        Run(StageIds.Report);
        Assert.Contains("Changed title", File.ReadAllText(_dir["out/report/report.md"]));

        SetTitle("Tiny");
        var back = Run(StageIds.Report);
        Assert.All(back, r => Assert.Equal(StageOutcome.CacheHit, r.Outcome)); // every stage a hit...
        Assert.Equal(original, File.ReadAllText(_dir["out/report/report.md"])); // ...and the view is the hit's report
        Assert.False(Directory.Exists(_dir["out/report.partial"]));
    }

    [Fact]
    public void Corrupted_synthetic_encoder_weights_are_rewritten_not_reused()
    {
        var config = PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
        Run(StageIds.Weights);
        var folder = new WeightsStage(config, ["mit_b0"]).Folder();
        var file = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).First();
        var clean = File.ReadAllBytes(file);
        var bad = (byte[])clean.Clone();
        bad[bad.Length / 2] ^= 0x20;
        File.WriteAllBytes(file, bad);

        var again = Run(StageIds.Weights);
        Assert.Equal(StageOutcome.Executed, again.Single().Outcome);
        Assert.Equal(clean, File.ReadAllBytes(file)); // regenerated, byte for byte
        Assert.Equal(StageOutcome.CacheHit, Run(StageIds.Weights).Single().Outcome);
    }

    [Fact]
    public void Adding_a_seed_runs_only_the_new_seed_and_the_report_shows_intervals()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1, batch_size: 4 }", "training: { epochs: 1, batch_size: 4, seeds: [42] }"));
        var one = Run(StageIds.Report);
        Assert.Contains("One seed per experiment: no confidence interval can be given", File.ReadAllText(_dir["out/report/report.md"]));

        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1, batch_size: 4 }", "training: { epochs: 1, batch_size: 4, seeds: [42, 43] }"));
        var two = Run(StageIds.Report);
        var executed = two.Where(r => r.Outcome == StageOutcome.Executed).Select(r => r.Stage).Order().ToList();
        Assert.Equal(["evaluate-tiny-seed43", "evaluate-untrained-seed43", "report", "train-tiny-seed43", "train-untrained-seed43"], executed);
        // Seed 42 is the same result under its new stage name: same keys, cache hits.
        Assert.Equal(one.Single(r => r.Stage == "train-tiny").Key, two.Single(r => r.Stage == "train-tiny-seed42").Key);
        Assert.Equal(one.Single(r => r.Stage == "evaluate-tiny").Key, two.Single(r => r.Stage == "evaluate-tiny-seed42").Key);
        var report = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Contains("Mean ± 95 % confidence half-width over seeds", report);
        Assert.Contains("| 2 |", report);
    }

    public void Dispose() => _dir.Dispose();
}
