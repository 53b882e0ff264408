using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Runner;
using PetSeg.Lab.Stages;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Store;

/// <summary>Bit rot, damaged lock files and what killed runs leave behind, on a tiny download → preprocess pipeline.</summary>
public sealed class StoreSafetyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public StoreSafetyTests() => File.WriteAllText(_dir["pipeline.yaml"], """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: 16 }
        """);

    private PipelineConfig Config => PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
    private PipelineRunner Runner() => LabPipeline.Runner(Config, NullProgressSink.Instance);

    [Fact]
    public void Verify_finds_a_flipped_byte_that_size_and_mtime_hide()
    {
        Runner().Run(StageIds.Preprocess);
        var cache = PreprocessStage.CachePath(Config, "test");
        var bytes = File.ReadAllBytes(cache);
        var mtime = File.GetLastWriteTimeUtc(cache);
        bytes[bytes.Length / 2] ^= 1; // in the payload
        File.WriteAllBytes(cache, bytes);
        File.SetLastWriteTimeUtc(cache, mtime);

        Assert.All(Runner().Status(), s => Assert.Equal(Freshness.Fresh, s.State)); // the memo cannot see it
        Assert.Equal([StageIds.Preprocess], Runner().Verify());
        Assert.Equal(Freshness.Stale, Runner().Status().Single(s => s.Stage == StageIds.Preprocess).State);
        Assert.Equal(StageOutcome.Executed, Runner().Run(StageIds.Preprocess).Single(r => r.Stage == StageIds.Preprocess).Outcome);
        Assert.Empty(Runner().Verify());
    }

    [Fact]
    public void Gc_refuses_a_damaged_lock_file_and_keeps_what_is_fresh_without_one()
    {
        Runner().Run(StageIds.Preprocess);
        var entries = Directory.GetDirectories(_dir["out/store/objects"], "*", SearchOption.AllDirectories).Length;
        var lockText = File.ReadAllText(_dir["pipeline.lock"]);

        File.WriteAllText(_dir["pipeline.lock"], lockText[..(lockText.Length / 2)]); // truncated
        var e = Assert.Throws<ConfigException>(() => Runner().CollectGarbage());
        Assert.Contains("pipeline.lock is damaged", e.Message);
        Assert.Equal(entries, Directory.GetDirectories(_dir["out/store/objects"], "*", SearchOption.AllDirectories).Length);

        File.Delete(_dir["pipeline.lock"]);
        Assert.Equal((0, 0L), Runner().CollectGarbage(dryRun: true));
        Assert.Equal(0, Runner().CollectGarbage().Entries); // fresh results are live even with the lock file gone
        Assert.All(Runner().Status(), s => Assert.Equal(Freshness.Fresh, s.State));
    }

    [Fact]
    public void A_truncated_lock_file_is_rebuilt_from_the_store_and_kept_beside_it()
    {
        // Found by a crash harness: a cut-short pipeline.lock stopped every command, though every fact in it is in the store.
        Runner().Run(StageIds.Preprocess);
        var lockText = File.ReadAllText(_dir["pipeline.lock"]);
        var damaged = lockText[..(lockText.Length / 2)];
        File.WriteAllText(_dir["pipeline.lock"], damaged);

        var ui = new ProgressLines();
        var status = LabPipeline.Runner(Config, ui).Status();
        Assert.All(status, s => Assert.Equal(Freshness.Fresh, s.State));
        Assert.Equal(lockText, File.ReadAllText(_dir["pipeline.lock"])); // every fact was in the store: the same file, byte for byte
        Assert.Equal(damaged, File.ReadAllText(_dir["pipeline.lock.damaged"]));
        var warning = Assert.Single(ui.All, l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.Contains("pipeline.lock was damaged", warning);
        Assert.Contains("pipeline.lock.damaged", warning);

        // Not valid YAML at all: the same; a run after it finds everything cached.
        File.WriteAllText(_dir["pipeline.lock"], "stages: [\n# end of pipeline.lock\n");
        Assert.All(Runner().Run(StageIds.Preprocess), r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));
        Assert.Equal(lockText, File.ReadAllText(_dir["pipeline.lock"]));
    }

    [Fact]
    public void A_store_record_damaged_into_other_valid_json_is_discarded_and_rebuilt()
    {
        // Found by a crash harness: one flipped bit renamed an output in entry.json, the entry stayed "fresh" and its
        // reader died. The record's own digest catches it.
        Runner().Run(StageIds.Preprocess);
        var key = Runner().Status().Single(s => s.Stage == StageIds.Preprocess).Key!;
        var hex = key[(key.IndexOf(':') + 1)..];
        var record = _dir[$"out/store/objects/{hex[..2]}/{hex}/entry.json"];
        var text = File.ReadAllText(record);
        var name = PreprocessStage.OutputName("test");
        Assert.Contains($"\"{name}\"", text);
        File.WriteAllText(record, text.Replace($"\"{name}\"", $"\"{name[..^1]}X\"")); // still valid JSON, one letter off

        var ui = new ProgressLines();
        var status = LabPipeline.Runner(Config, ui).Status().Single(s => s.Stage == StageIds.Preprocess);
        Assert.Equal(Freshness.Stale, status.State);
        Assert.Contains(ui.All, l => l.Contains("does not match the digest it was written with", StringComparison.Ordinal));
        Assert.Equal(StageOutcome.Executed, Runner().Run(StageIds.Preprocess).Single(r => r.Stage == StageIds.Preprocess).Outcome);
        Assert.All(Runner().Status(), s => Assert.Equal(Freshness.Fresh, s.State));
    }

    [Fact]
    public void A_run_removes_what_killed_runs_left_behind()
    {
        Runner().Run(StageIds.Download);
        var work = Directory.CreateDirectory(_dir["out/store/tmp/0123abcd"]).FullName;
        File.WriteAllBytes(Path.Combine(work, "model.ckpt"), new byte[1000]);
        var dead = _dir["out/data/cache/.test.petc.999999999.0f0f.tmp"];
        Directory.CreateDirectory(Path.GetDirectoryName(dead)!);
        File.WriteAllBytes(dead, [1, 2, 3]);
        var live = _dir[$"out/data/cache/.x.petc.{Environment.ProcessId}.0f0f.tmp"]; // a running writer's file stays
        File.WriteAllBytes(live, [1]);
        var deadLock = _dir[".pipeline.lock.999999999.0f0f.tmp"]; // pipeline.lock's temp file from a killed run (crash harness)
        File.WriteAllText(deadLock, "stages:");
        var liveLock = _dir[$".pipeline.lock.{Environment.ProcessId}.0f0f.tmp"];
        File.WriteAllText(liveLock, "stages:");
        var notOurs = _dir[".notes.txt.999999999.0f0f.tmp"]; // the project folder is the user's: only the lock file's temps go
        File.WriteAllText(notOurs, "x");

        var ui = new ProgressLines();
        LabPipeline.Runner(Config, ui).Run(StageIds.Preprocess);
        Assert.False(Directory.Exists(work));
        Assert.Contains(ui.All, l => l.StartsWith("store: removed a work folder, whose run ended before finishing it (stopped, killed or crashed; last written ", StringComparison.Ordinal));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.False(File.Exists(deadLock));
        Assert.True(File.Exists(liveLock));
        Assert.True(File.Exists(notOurs));
    }

    public void Dispose() => _dir.Dispose();
}
