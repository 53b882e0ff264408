using System.Text.RegularExpressions;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// A training that cannot fit in memory, through the program: refused before its first step with what it needs and what
/// is left, exit 1, nothing published and no run folder left; switched off, the same command trains; measured, it
/// trains the same bytes. (A wrong cap's
/// message, the room's sources and a run that fits: SystemMemoryTests, MemoryCheckTests, TrainerTests.)
/// </summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class MemoryRefusalTests
{
    [Fact]
    public void A_training_over_the_memory_left_is_refused_before_its_first_step_and_runs_with_room()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        // On the CPU (--device cpu): a GPU's memory is not the process's, so on a GPU box auto would not be checked here.
        (int Exit, string Output) Petseg(Dictionary<string, string> env, params string[] args) => CliProcess.RunWith(env, [.. args, "--config", dir["pipeline.yaml"]]);

        var (exit, log) = Petseg(new() { ["PETSEG_MEMORY_LIMIT"] = "64MiB" }, "run", "train-tiny", "--device", "cpu");
        Assert.Equal(1, exit);
        Assert.Contains("preprocess: done", log); // the stages before it ran and are kept
        Assert.True(Regex.IsMatch(log, @"error: train-tiny: training simple-unet at 32×32 does not fit in memory: a step at batch 4 peaks (at|above) [\d.]+ MiB \(measured here.*\), " +
                                       @"but only 0\.0 MiB more is available \(PETSEG_MEMORY_LIMIT=64MiB\) beside the [\d.]+ MiB this process holds; the kernel would kill it without a message\. " +
                                       @"Not even a batch of 2 fits: train on smaller images or on a machine with more memory or with precision: bf16\. Nothing was trained\. Set PETSEG_MEMORY_CHECK=off to try anyway\."), log);
        Assert.DoesNotContain("epoch 1/1", log);
        Assert.False(Directory.Exists(dir["out/runs"]) && Directory.EnumerateFileSystemEntries(dir["out/runs"]).Any(), "a refused run leaves no run folder");
        Assert.Matches(@"STALE +train-tiny\n +never run", Petseg([], "status").Output); // nothing was published

        (exit, log) = Petseg(new() { ["PETSEG_MEMORY_LIMIT"] = "64MiB", ["PETSEG_MEMORY_CHECK"] = "off" }, "run", "train-tiny", "--device", "cpu");
        Assert.True(exit == 0, log);
        Assert.Contains("memory: not checked (PETSEG_MEMORY_CHECK=off)", log);
        Assert.Contains("train-tiny: done", log);
        byte[] Weights() => File.ReadAllBytes(Directory.GetFiles(dir["out/store"], "model.safetensors", SearchOption.AllDirectories).Single());
        var unmeasured = Weights();

        // A cap that leaves the generous bound no say (its room is under 4 × the bound): the step is measured (a throwaway model, real steps), and the
        // training's bytes are the same as without it.
        (exit, log) = Petseg(new() { ["PETSEG_MEMORY_LIMIT"] = "600MiB" }, "run", "train-tiny", "--device", "cpu", "--force");
        Assert.True(exit == 0, log);
        Assert.Matches(@"memory: a step at batch 4 peaks (at|above) [\d.]+ MiB \(measured here in [\d.]+ s.*\); [\d.]+ (MiB|GiB) more available \(PETSEG_MEMORY_LIMIT=600MiB\)", log);
        Assert.Equal(unmeasured, Weights());
    }

    [Fact]
    public void A_step_measured_alone_grows_with_its_batch()
    {
        // In a process of its own (the test host's other classes allocate beside it): SimpleUNet keeps about 10 MiB per
        // 64² image for its backward pass; the probe measures batches 2, 4, 8 and 16 and reports the growth of the last.
        var (exit, output) = CliProcess.Run("bench", "train-step", "--model", "simple-unet", "--size", "64", "--batch", "16", "--steps", "2", "--device", "cpu");
        Assert.True(exit == 0, output);
        var m = Regex.Match(output, @"memory check: a step measured alone \(heap trimmed\) peaks at ([\d.]+) (MiB|GiB), ([\d.]+) MiB more per image at its last step up \(batch 16\)");
        Assert.True(m.Success, output);
        double perImage = double.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(perImage, 4, 40);
    }
}
