using System.Diagnostics;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;

namespace PetSeg.Tests.Cli;

/// <summary>
/// A training run killed with SIGKILL mid-way resumes from its last complete epoch and ends like an uninterrupted one.
/// Every run is a petseg process (nothing computes in this one), so the class runs beside the others.
/// </summary>
public sealed class KillAndResumeTests
{
    // 60 training images at 32²: about half a second an epoch on a 2-core CPU, so the four epochs after the second
    // leave the 50 ms poll seconds to kill it mid-run; augmentation makes the resume redraw the epoch's own order and flips.
    private const string Yaml = """
        dataset: { source: synthetic, synthetic: { count: 120, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: 32 }
        experiments:
          victim: { model: simple-unet, lr: 0.001, epochs: 6, augment: true }
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public void Killed_training_resumes_after_the_last_complete_epoch_with_identical_results()
    {
        using var killed = new TempDir();
        using var clean = new TempDir();
        File.WriteAllText(killed["pipeline.yaml"], Yaml);
        File.WriteAllText(clean["pipeline.yaml"], Yaml);

        using (var p = Process.Start(CliProcess.StartInfo(killed.Path, "run", "train-victim", "--config", killed["pipeline.yaml"]))!)
        {
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !p.HasExited && CompletedEpochs(killed) < 2) Thread.Sleep(50);
            Assert.False(p.HasExited, "training finished before it could be killed");
            p.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            p.WaitForExit();
        }
        Assert.InRange(CompletedEpochs(killed), 2, 5);
        // status tells what is there to resume.
        var (exit, status) = CliProcess.Run("status", "--config", killed["pipeline.yaml"]);
        Assert.True(exit == 0, status);
        Assert.Matches(@"a stopped run left [2-5] of 6 epoch\(s\) done: running it resumes there \(.*last\.ckpt\)", status);

        (exit, var log) = CliProcess.Run("run", "evaluate-victim", "--config", killed["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        // What the killed run was computing is named as its work folder goes.
        Assert.Matches(@"store: removed the work folder of train-victim, whose run \(pid \d+\) ended before finishing it \(stopped, killed or crashed; last written \d{4}-\d\d-\d\d \d\d:\d\d UTC\)", log);
        (exit, log) = CliProcess.Run("run", "evaluate-victim", "--config", clean["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Equal(KeyOf(clean, "model.safetensors"), KeyOf(killed, "model.safetensors")); // the same training's entry
        Assert.Equal(File.ReadAllBytes(StoreFile(clean, "model.safetensors")), File.ReadAllBytes(StoreFile(killed, "model.safetensors")));
        Assert.Equal(File.ReadAllBytes(StoreFile(clean, "metrics.json")), File.ReadAllBytes(StoreFile(killed, "metrics.json")));
        Assert.Contains("resuming after epoch", File.ReadAllText(StoreFile(killed, "train.log")));
    }

    private static int CompletedEpochs(TempDir dir)
    {
        var runs = dir["artifacts/runs"];
        if (!Directory.Exists(runs)) return 0;
        foreach (var ckpt in Directory.GetFiles(runs, "last.ckpt", SearchOption.AllDirectories))
            try { return TrainingCheckpoint.ReadInfo(ckpt).Epoch; } catch (IOException) { } catch (InvalidDataException) { }
        return 0;
    }

    /// <summary>The key of the store entry holding a file: its folder's name.</summary>
    private static string KeyOf(TempDir dir, string name) => Path.GetFileName(Path.GetDirectoryName(StoreFile(dir, name)))!;

    private static string StoreFile(TempDir dir, string name) =>
        Directory.GetFiles(dir["artifacts/store/objects"], name, SearchOption.AllDirectories).Single();
}
