using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Lab;
using PetSeg.Lab.Config;
using PetSeg.Tests.Support;
using PetSeg.Training;
using PetSeg.Workflow.Store;

namespace PetSeg.Tests.Cli;

/// <summary>
/// <c>petseg run TARGET --check</c> computes a stored result again from the same inputs and compares it byte for byte:
/// whether this machine reproduces it (a fixed seed and data order give the same bits on one machine; a result pulled
/// from a team's remote was perhaps computed on another). The stored result, the lock and the store stay as they were.
/// </summary>
public sealed class ReproducibilityCheckTests
{
    [Fact]
    public void A_rerun_is_compared_with_the_stored_result_and_a_difference_is_named_where_the_losses_part()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, output) = CliProcess.Run("run", "train-tiny", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, output);
        var lockBefore = File.ReadAllBytes(dir["pipeline.lock"]);
        var objects = Objects(dir["out/store/objects"]);

        (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, output);
        Assert.Contains("train-tiny: checking: computing it again", output);
        Assert.Matches(@"train-tiny: reproduced: 3 output\(s\) byte for byte as stored; not compared: train\.log \(a record of the run\); computed and compared in \d+\.\d s\n", output);
        Assert.Contains("train-tiny: 1 stage(s) checked, all reproduced byte for byte", output);
        // With --upstream, every stage it needs too, dependencies first.
        (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--upstream", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, output);
        Assert.Equal(["download", "preprocess", "train-tiny"], [.. System.Text.RegularExpressions.Regex.Matches(output, @"^([a-z-]+): reproduced: ", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value)]);
        Assert.Contains("train-tiny: 3 stage(s) checked, all reproduced byte for byte", output);
        Assert.Contains("preprocess: checking: computing it again (stage 2 of 3)", output);
        Assert.Equal(lockBefore, File.ReadAllBytes(dir["pipeline.lock"]));
        Assert.Equal(objects, Objects(dir["out/store/objects"])); // nothing published, nothing left in the store's work folders
        Assert.Empty(Directory.Exists(dir["out/store/tmp"]) ? Directory.EnumerateFileSystemEntries(dir["out/store/tmp"]) : []);

        // Stored results that stand for other machines': each output copied and altered, republished under the same key.
        var config = PipelineConfigLoader.Load(dir["pipeline.yaml"]);
        var key = LabPipeline.Runner(config, NullProgressSink.Instance).Status().Single(s => s.Stage == "train-tiny").Key!;
        var store = new ArtifactStore(dir["out/store"], new DigestCache(), NullProgressSink.Instance);
        var losses = File.ReadAllBytes(store.TryGet(key, "train-tiny")!.OutputPath("losses.json"));
        void Republish(Action<string, string> alter, Func<ComputeRecord?, ComputeRecord?>? compute = null)
        {
            var entry = store.TryGet(key, "train-tiny")!;
            var work = store.NewWorkDir();
            var files = new SortedDictionary<string, StoredFile>(StringComparer.Ordinal);
            foreach (var name in entry.Outputs.Keys)
            {
                var copy = Path.Combine(work, name);
                File.Copy(entry.OutputPath(name), copy);
                alter(name, copy);
                files[name] = new StoredFile(Digest.OfFile(copy), new FileInfo(copy).Length, copy);
            }
            store.Discard(entry, "replaced by a result that stands for another machine's");
            store.Publish(entry with { Outputs = files, Compute = compute is null ? entry.Compute : compute(entry.Compute) }, work);
        }

        // Losses that part from this machine's at the first batch: the check stops there (a real training would run on for hours).
        Republish((name, copy) =>
        {
            if (name != "losses.json") return;
            var h = LossHistory.Read(copy);
            new LossHistory(h.Experiment, h.EpochLosses, [[Math.BitIncrement(h.BatchLosses[0][0]), .. h.BatchLosses[0].Skip(1)], .. h.BatchLosses.Skip(1)]).Write(copy);
        });
        var stored = File.ReadAllBytes(Path.Combine(store.EntryDir(key), "losses.json"));
        (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 1, output);
        Assert.Matches(@"train-tiny: NOT reproduced: losses\.json: the loss first differs at epoch 1, batch 1 \([0-9.E-]+ stored, [0-9.E-]+ now\); " +
                       @"stopped there, as everything computed after it would differ too; computed and compared in [\d.]+ s\n", output);
        Assert.DoesNotContain("epoch 1/1:", output); // stopped within its first batch's step, before the epoch's line
        Assert.Contains("train-tiny: 1 stage(s) checked, 1 not reproduced: train-tiny (the stored results are unchanged)", output);
        Assert.Matches(@"train-tiny: the stored result was computed as here \(the same CPU, \d+ thread\(s\), kernels and libtorch\), so the bits should have been the same", output);
        Assert.Equal(stored, File.ReadAllBytes(Path.Combine(store.EntryDir(key), "losses.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir["out/store/tmp"]));
        Assert.False(Directory.Exists(dir["out/runs"]) && Directory.EnumerateFileSystemEntries(dir["out/runs"]).Any()); // no checkpoint left to resume from

        // The same, recorded as computed on another CPU with 16 threads: the check says so, as the likely reason.
        Republish((_, _) => { }, c => c! with { Cpu = "AMD EPYC 9B45 (family 26, model 2)", Threads = 16 });
        (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 1, output);
        Assert.Matches(@"train-tiny: the stored result was computed elsewhere \(CPU AMD EPYC 9B45 \(family 26, model 2\), here .+; threads 16, here \d+\): " +
                       @"other float rounding there is expected, not a fault", output);

        // The losses as computed here, the optimizer state's last byte not: trained to the end, that one output named, with where it differs.
        Republish((name, copy) =>
        {
            if (name == "losses.json") File.WriteAllBytes(copy, losses);
            if (name != "train-state.safetensors") return;
            var bytes = File.ReadAllBytes(copy);
            bytes[^1] ^= 1;
            File.WriteAllBytes(copy, bytes);
        });
        (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 1, output);
        Assert.Contains("train-tiny: NOT reproduced: train-state.safetensors differ from the stored result (2 of 3 the same); not compared: train.log (a record of the run)", output);
        var size = new FileInfo(Path.Combine(store.EntryDir(key), "train-state.safetensors")).Length;
        string N(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"train-tiny: train-state.safetensors: the bytes first differ at offset {N(size - 1)} ({N(size)} bytes)", output);
    }

    [Fact]
    public void A_check_needs_a_stored_result_computes_data_stages_beside_their_files_and_takes_no_option_that_would_publish()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--config", dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("train-tiny: its input 'preprocess' has no published result, so nothing is stored to check against; run it first (`petseg run train-tiny`)", output);
        (exit, output) = CliProcess.Run("run", "preprocess", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, output);
        var objects = Objects(dir["out/store/objects"]);
        (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--config", dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Matches(@"train-tiny: no result is stored under its key \(xxh128:[0-9a-f]+…\) to check against; run it first \(`petseg run train-tiny`\), or pull it", output);
        Assert.Equal(objects, Objects(dir["out/store/objects"]));
        // Of several stages, the part that is stored is checked and the rest is named: not a success, as it is not answered for.
        (exit, output) = CliProcess.Run("run", "train-tiny", "--check", "--upstream", "--config", dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("preprocess: reproduced: 2 output(s)", output);
        Assert.Matches(@"train-tiny: not checked: no result is stored under its key \(xxh128:[0-9a-f]+…\) to check against\n", output);
        Assert.Contains("train-tiny: 2 stage(s) checked, all reproduced byte for byte; 1 not checked, with nothing stored to check against: train-tiny", output);
        Assert.Equal(objects, Objects(dir["out/store/objects"]));
        // The data stages write in place (under out/data): checked, they compute into the check's own folder, and the files
        // the store vouches for are not touched (not rewritten with the same bytes either: their times stay).
        var data = Files(dir["out/data"]);
        foreach (var (stage, outputs) in new[] { ("download", 1), ("preprocess", 2), ("weights", 1) })
        {
            (exit, output) = CliProcess.Run("run", stage, "--check", "--config", dir["pipeline.yaml"]);
            if (stage == "weights")
            {
                Assert.Equal(1, exit); // not run yet
                Assert.Contains("weights: no result is stored under its key", output);
                Assert.True(CliProcess.Run("run", "weights", "--config", dir["pipeline.yaml"]).Exit == 0);
                (data, objects) = (Files(dir["out/data"]), Objects(dir["out/store/objects"]));
                (exit, output) = CliProcess.Run("run", stage, "--check", "--config", dir["pipeline.yaml"]);
            }
            Assert.True(exit == 0, output);
            Assert.Contains($"{stage}: reproduced: {outputs} output(s) byte for byte as stored", output);
            Assert.Equal(data, Files(dir["out/data"]));
            Assert.Equal(objects, Objects(dir["out/store/objects"]));
        }
        Assert.Empty(Directory.Exists(dir["out/store/tmp"]) ? Directory.EnumerateFileSystemEntries(dir["out/store/tmp"]) : []);
        (exit, output) = CliProcess.Run("run", "train-tiny", "--upstream", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("--upstream widens --check to the stages TARGET needs", output);
        foreach (var extra in new[] { "--force", "--push", "--jobs=2" })
        {
            (exit, output) = CliProcess.Run("run", "train-tiny", "--check", extra, "--config", dir["pipeline.yaml"]);
            Assert.Equal(2, exit);
            Assert.Contains("--check computes TARGET again beside its stored result and keeps neither in the store", output);
        }
    }

    /// <summary>Every file under <paramref name="root"/> with its size, write time and digest.</summary>
    private static List<string> Files(string root) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(root, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f).Ticks} {Digest.OfFile(f)}").Order(StringComparer.Ordinal)];

    private static List<string> Objects(string root) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => $"{Path.GetRelativePath(root, f)} {new FileInfo(f).Length}").Order(StringComparer.Ordinal)];
}
