using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using PetSeg.Core;
using PetSeg.Tests.Support;
using PetSeg.Training.Memory;

namespace PetSeg.Tests.Cli;

/// <summary>
/// A training that cannot fit in memory, through the program: refused before its first step with what it needs and what
/// is left, exit 1, nothing published and no run folder left; switched off, the same command trains; measured, it
/// trains the same bytes. Beside another training that will take the room, it waits for that one to end; one that
/// would not fit even then is refused. (A wrong cap's
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
        // On the CPU (--device cpu): a GPU's memory is not the process's, so on a GPU box auto would not be checked here. With
        // a memory ledger of its own: the suite's other trainings record theirs in the machine's, and would share the cap.
        (int Exit, string Output) Petseg(Dictionary<string, string> env, params string[] args) =>
            CliProcess.RunWith(new Dictionary<string, string>(env) { [MemoryLedger.Variable] = dir["ledger"] }, [.. args, "--config", dir["pipeline.yaml"]]);

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
    public void A_training_waits_for_the_memory_another_will_take_and_one_that_cannot_fit_even_alone_is_refused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        // A ledger of this test's own: the suite's other trainings (this process's among them) record theirs in the machine's.
        var ledger = new MemoryLedger(dir["ledger"], SystemMemory.This);
        var env = new Dictionary<string, string> { ["PETSEG_MEMORY_LIMIT"] = "600MiB", [MemoryLedger.Variable] = ledger.Folder };
        Assert.Equal(0, CliProcess.RunWith(env, "run", "preprocess", "--config", dir["pipeline.yaml"]).Exit);

        // Another training (a sleeping process stands for it) that will peak at 500 MiB of the 600 MiB cap they share: the
        // tiny run, which fits under the cap alone (the first test), waits for it, and trains once it has ended.
        using (var other = Process.Start("sleep", "600"))
        using (ledger.Record(other.Id, "train-other", 500L << 20))
        {
            var psi = CliProcess.StartInfo(null, "run", "train-tiny", "--device", "cpu", "--config", dir["pipeline.yaml"]);
            foreach (var (name, value) in env) psi.Environment[name] = value;
            using var run = Process.Start(psi)!;
            var lines = new ConcurrentQueue<string>();
            using var waiting = new ManualResetEventSlim();
            void Read(string? l) { if (l is null) return; lines.Enqueue(l); if (l.Contains("waiting for memory to free up", StringComparison.Ordinal)) waiting.Set(); }
            run.OutputDataReceived += (_, e) => Read(e.Data);
            run.ErrorDataReceived += (_, e) => Read(e.Data);
            run.BeginOutputReadLine();
            run.BeginErrorReadLine();
            try
            {
                Assert.True(waiting.Wait(TimeSpan.FromSeconds(120)), string.Join("\n", lines));
                Thread.Sleep(1500); // still waiting: nothing trained, nothing of its own recorded
                Assert.DoesNotContain(lines, l => l.Contains("epoch 1/1", StringComparison.Ordinal));
                Assert.Single(Directory.GetFiles(ledger.Folder, "*.json"));
            }
            finally { other.Kill(); }
            Assert.True(run.WaitForExit(120_000), "still running two minutes after the other training ended");
            run.WaitForExit();
            var log = string.Join("\n", lines);
            Assert.True(run.ExitCode == 0, log);
            Assert.Matches($@"memory: a step at batch 4 peaks (at|above) [\d.]+ MiB \(measured here.*\); beside the training of pid {other.Id} \(train-other\) only 0\.0 MiB is left " +
                           $@"\(PETSEG_MEMORY_LIMIT=600MiB, shared with pid {other.Id} \(train-other\) at 500 MiB\): waiting for memory to free up", log);
            Assert.Matches(@"memory: a step at batch 4 peaks (at|above) [\d.]+ MiB \(measured here.*\); [\d.]+ MiB more available \(PETSEG_MEMORY_LIMIT=600MiB\), after waiting \d+ s for it", log);
            Assert.Contains("train-tiny: done", log);
        }
        Assert.Empty(Directory.GetFiles(ledger.Folder, "*.json")); // the ended one's entry removed, and the tiny run's when it finished

        // Under a cap below what the run needs alone, it is refused at once, naming the training beside it.
        using (var other = Process.Start("sleep", "600"))
        using (ledger.Record(other.Id, "train-other", 500L << 20))
        {
            try
            {
                var (exit, log) = CliProcess.RunWith(new Dictionary<string, string>(env) { ["PETSEG_MEMORY_LIMIT"] = "64MiB" },
                    "run", "train-tiny", "--device", "cpu", "--force", "--config", dir["pipeline.yaml"]);
                Assert.Equal(1, exit);
                Assert.Matches($@"error: train-tiny: training simple-unet at 32×32 does not fit in memory: .* but only 0\.0 MiB more is available \(PETSEG_MEMORY_LIMIT=64MiB\) " +
                               $@"beside the [\d.]+ MiB this process holds, even once the training of pid {other.Id} \(train-other\) ends; the kernel would kill it", log);
                Assert.DoesNotContain("waiting", log);
            }
            finally { other.Kill(); }
        }
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
