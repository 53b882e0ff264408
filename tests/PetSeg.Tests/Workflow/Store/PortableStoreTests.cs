using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Workflow.Runner;
using PetSeg.Lab.Stages;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Store;

/// <summary>
/// Nothing a stage records names the machine's folders: a workspace moved elsewhere (as a pull into another folder
/// would place it) is still fresh, its external outputs resolving under the new artifacts folder.
/// </summary>
public sealed class PortableStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Entries_and_lock_hold_no_absolute_paths_and_a_moved_workspace_is_fresh()
    {
        var first = _dir["first"];
        Directory.CreateDirectory(first);
        File.WriteAllText(Path.Combine(first, "pipeline.yaml"), """
            artifacts: out
            dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
            preprocess: { image_size: 16 }
            """);
        LabPipeline.Runner(PipelineConfigLoader.Load(Path.Combine(first, "pipeline.yaml")), NullProgressSink.Instance).Run(StageIds.Preprocess);
        var records = Directory.EnumerateFiles(Path.Combine(first, "out", "store", "objects"), "entry.json", SearchOption.AllDirectories)
            .Append(Path.Combine(first, "pipeline.lock")).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, f => Assert.DoesNotContain(_dir.Path, File.ReadAllText(f)));
        Assert.Contains(records, f => File.ReadAllText(f).Contains("\"$artifacts/data/cache/", StringComparison.Ordinal));

        var moved = _dir["elsewhere/second"];
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        Directory.Move(first, moved);
        var config = PipelineConfigLoader.Load(Path.Combine(moved, "pipeline.yaml"));
        Assert.All(LabPipeline.Runner(config, NullProgressSink.Instance).Status(), s => Assert.Equal(Freshness.Fresh, s.State));
        var again = LabPipeline.Runner(config, NullProgressSink.Instance).Run(StageIds.Preprocess);
        Assert.All(again, r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));
        Assert.StartsWith(moved, PreprocessStage.CachePath(config, "test"));
    }

    public void Dispose() => _dir.Dispose();
}
