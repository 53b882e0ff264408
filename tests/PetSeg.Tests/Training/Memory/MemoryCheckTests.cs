using System.Text.RegularExpressions;
using PetSeg.Core;
using PetSeg.Models;
using PetSeg.Tests.Support;
using PetSeg.Training;
using PetSeg.Training.Memory;
using PetSeg.Training.Optim;
using static TorchSharp.torch;

namespace PetSeg.Tests.Training.Memory;

/// <summary>
/// A training that cannot fit in memory is refused before its first step with what it needs and what is left, by real
/// steps at small batches (never the batch that would not fit); one that fits is measured and runs.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class MemoryCheckTests
{
    private const long MiB = 1L << 20;

    /// <summary>SimpleUNet's parameters' bytes (the bound's share of the model).</summary>
    private static readonly long SimpleUnetBytes = ParameterBytes(ModelZoo.SimpleUnet);

    private static long ParameterBytes(string architecture)
    {
        using var model = ModelZoo.Create(new ModelSpec(architecture));
        return model.parameters().Sum(p => p.NumberOfElements * p.ElementSize);
    }

    private static TrainSettings Settings(int batch) => new(new ModelSpec(ModelZoo.SimpleUnet), new AdamSettings(1e-3), Epochs: 1, BatchSize: batch);

    [Fact]
    public void A_step_is_measured_at_its_own_batch_without_moving_the_generator()
    {
        manual_seed(11);
        using var before = random.get_rng_state();
        var small = MemoryProbe.Measure(Settings(4), 64, 64, batch: 4, ceiling: null)!;
        var large = MemoryProbe.Measure(Settings(16), 64, 64, batch: 16, ceiling: null)!;
        using var after = random.get_rng_state();
        Assert.Equal(before.bytes.ToArray(), after.bytes.ToArray()); // the throwaway model's initialisation drew nothing of the run's
        Assert.True(small.Measured && large.Measured);
        Assert.Equal((4, 4, 16, 16), (small.Batch, small.MeasuredBatch, large.Batch, large.MeasuredBatch));
        // How much a step takes is not asserted here: the peak is the process's, and the suite's other classes allocate and
        // free hundreds of MiB beside this one (on a Xeon a batch-16 step once "peaked" 20 MiB below a batch-4 one). A
        // process of its own measures it: MemoryRefusalTests.A_step_measured_alone_grows_with_its_batch.
        Assert.True(small.PeakBytes > 0 && large.PeakBytes > 0 && large.PerImageBytes >= 0);
    }

    [Fact]
    public void A_batch_that_cannot_fit_is_refused_from_small_steps_with_the_largest_that_might()
    {
        var resident = SystemMemory.This.ResidentBytes()!.Value;
        var two = MemoryProbe.Measure(Settings(2), 64, 64, batch: 2, ceiling: null)!;
        // A cap 96 MiB above a 2-image step: batch 4096 (about 36 GiB) cannot fit; some ten images might.
        long cap = Math.Max(resident, two.PeakBytes) + 96 * MiB;
        var lines = new List<string>();
        var e = Assert.Throws<NotEnoughMemoryException>(() => MemoryCheck.Ensure(Settings(4096), 64, 64, 4096, SimpleUnetBytes, CPU, "train-big", lines.Add,
            enabled: true, cap: $"{cap / MiB}MiB", ledger: null));
        // The figures are this process's, which the suite's other classes share: the margins are wide (96 MiB at about
        // 10 MiB per image leaves some ten images; on a Xeon, with the other classes beside it, it once read 66).
        Assert.False(e.Need.Measured); // extrapolated from small steps, never run at 4096
        Assert.InRange(e.Need.MeasuredBatch, 2, 512);
        Assert.True(e.Need.PeakBytes > cap);
        var m = Regex.Match(e.Message, @"^train-big: training simple-unet at 64×64 does not fit in memory: a step at batch 4096 peaks above [\d.]+ (GiB|MiB) " +
                                       @"\(measured here in [\d.]+ s up to batch \d+, [\d.]+ MiB more per image there\), but only [\d.]+ MiB more is available " +
                                       $@"\(PETSEG_MEMORY_LIMIT={cap / MiB}MiB\) beside the [\d.]+ (MiB|GiB) this process holds; " +
                                       @"the kernel would kill it without a message\. No batch above (\d+) can fit: lower batch_size in pipeline\.yaml, or train on smaller images " +
                                       @"or with precision: bf16\. Nothing was trained\. Set PETSEG_MEMORY_CHECK=off to try anyway\.$");
        Assert.True(m.Success, e.Message);
        Assert.InRange(int.Parse(m.Groups[3].Value), 2, 4095); // fewer than asked for
        Assert.Empty(lines); // refused before anything was logged

        // A cap below what the process holds: refused after the first small step.
        e = Assert.Throws<NotEnoughMemoryException>(() => MemoryCheck.Ensure(Settings(16), 64, 64, 16, SimpleUnetBytes, CPU, "train-big", lines.Add, enabled: true, cap: "1MiB", ledger: null));
        Assert.Equal(2, e.Need.MeasuredBatch);
        Assert.Contains("Not even a batch of 2 fits: train on smaller images or on a machine with more memory or with precision: bf16.", e.Message);
        Assert.Contains("but only 0.0 MiB more is available (PETSEG_MEMORY_LIMIT=1MiB)", e.Message);
        // Switched off, nothing is measured; a value that is neither off nor on is named rather than read as on.
        Assert.False(MemoryCheck.Enabled("OFF"));
        Assert.True(MemoryCheck.Enabled(null) && MemoryCheck.Enabled("") && MemoryCheck.Enabled("on"));
        Assert.Equal("PETSEG_MEMORY_CHECK=of: use off (train without measuring what a step needs) or on (the default)",
            Assert.Throws<ConfigException>(() => MemoryCheck.Enabled("of")).Message);
        MemoryCheck.Ensure(Settings(4096), 64, 64, 4096, SimpleUnetBytes, CPU, "train-big", lines.Add, enabled: false, cap: "1MiB", ledger: null);
        Assert.Equal(["memory: not checked (PETSEG_MEMORY_CHECK=off)"], lines);
    }

    [Fact]
    public void A_batch_that_fits_is_logged_with_what_it_takes_and_what_is_left()
    {
        var lines = new List<string>();
        // A model as large as the room: the bound says nothing, so the step is measured.
        long huge = SystemMemory.This.Room(cap: null)!.Bytes;
        MemoryCheck.Ensure(Settings(8), 64, 64, 8, huge, CPU, "train-small", lines.Add, enabled: true, cap: null, ledger: null);
        var line = Assert.Single(lines);
        Assert.Matches(@"^memory: a step at batch 8 peaks (at|above) [\d.]+ (MiB|GiB) \(measured here in [\d.]+ s.*\); [\d.]+ GiB more available \(", line);
        // The model as it is: a small run is bounded (16 × its parameters + 32 KiB × 64² × 8 images), not measured.
        MemoryCheck.Ensure(Settings(8), 64, 64, 8, SimpleUnetBytes, CPU, "train-small", lines.Add, enabled: true, cap: null, ledger: null);
        Assert.Matches(@"^memory: a step at batch 8 takes less than [\d.]+ GiB \(bounded, not measured: [\d.]+ GiB more available, ", lines[1]);
        Assert.Equal(16 * SimpleUnetBytes + (1L << 30), MemoryCheck.Bound(64, 64, 8, SimpleUnetBytes));
        MemoryCheck.Ensure(Settings(8), 64, 64, 8, huge, new Device("meta"), "train-small", lines.Add, enabled: true, cap: "1MiB", ledger: null); // another device's memory is not this process's
        Assert.Equal(2, lines.Count);
    }
    [Fact]
    public void A_wait_for_memory_is_told_again_while_it_lasts_naming_whom_it_waits_for()
    {
        using var dir = new TempDir();
        var ledger = new MemoryLedger(dir["ledger"], SystemMemory.This);
        // A cap 600 MiB above what this process holds, all of it taken by another training (a sleeping process stands for
        // it): a step (about 10 MiB per 64² image) fits alone, so the check waits; each second (instead of each minute) it says so again.
        long cap = SystemMemory.This.ResidentBytes()!.Value + 600 * MiB;
        using var other = System.Diagnostics.Process.Start("sleep", "600")!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        try
        {
            using var entry = ledger.Record(other.Id, "train-other", 600 * MiB);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            void Log(string line)
            {
                lines.Enqueue(line);
                if (lines.Count(l => l.Contains("still waiting", StringComparison.Ordinal)) == 2) stop.Cancel();
            }
            var stopped = Record.Exception(() => MemoryCheck.Ensure(Settings(16), 64, 64, 16, SimpleUnetBytes, CPU, "train-tiny", Log,
                enabled: true, cap: $"{cap / MiB}MiB", ledger, stop.Token, remindEvery: TimeSpan.FromSeconds(1))?.Dispose());
            Assert.True(stopped is OperationCanceledException, $"{stopped}\n{string.Join("\n", lines)}");
        }
        finally { other.Kill(); }
        var all = string.Join("\n", lines);
        Assert.Equal(3, lines.Count);
        Assert.Matches($@"^memory: a step at batch 16 peaks .*; beside the training of pid {other.Id} \(train-other\) only 0\.0 MiB is left .*: waiting for memory to free up$", lines.First());
        // The seconds waited so far, each reminder later than the one before (under load a reminder may come a second late).
        var seconds = new List<int>();
        foreach (var line in lines.Skip(1))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line,
                $@"^memory: still waiting after (\d+) s: beside the training of pid {other.Id} \(train-other\) only 0\.0 MiB is left " +
                $@"\(PETSEG_MEMORY_LIMIT={cap / MiB}MiB, shared with pid {other.Id} \(train-other\) at 600 MiB\), and a step at batch 16 needs [\d.]+ MiB more$");
            Assert.True(m.Success, line);
            seconds.Add(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.True(seconds[0] >= 1 && seconds[1] > seconds[0], all);
        Assert.Empty(Directory.GetFiles(ledger.Folder, "*.json")); // the other's entry gone with it; a wait recorded nothing of its own
    }
}
