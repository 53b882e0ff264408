using System.Collections.Concurrent;
using PetSeg.Core;
using PetSeg.Models;
using PetSeg.Training.Checkpoints;
using PetSeg.Training.Optim;
using static TorchSharp.torch;

namespace PetSeg.Training.Memory;

/// <summary>
/// Measures what a training step will need before the training starts: real training steps of a throwaway model of the
/// same architecture, at the run's image size and precision, at batches 2, 4, 8, … up to the run's batch, each with the
/// heap's free pages handed back and the process's peak resident size reset before it. It stops as soon as the answer
/// is clear: the lower bound through the last two measurements is past the ceiling (it cannot fit), or half the room
/// below it is enough (it fits with room to spare), or it reached the batch itself. Measured rather than estimated
/// because the peak is the kernels' own (oneDNN's buffers, the bf16 copies, padded convolutions) and differs by model
/// from 5 to 35 MiB per 128² image. The training then reuses the probe's memory. It leaves torch's generator as it
/// found it. CPU only: a GPU's memory is not the process's resident size.
/// </summary>
public static class MemoryProbe
{
    private const int First = 2; // batch 1 fails in train-mode BatchNorm where a feature map is 1×1

    /// <summary>A step's growth from one batch to the next below this is not told from other threads' allocations.</summary>
    private const long NoiseFloor = 16L << 20;

    // Per process: a sweep or a test suite trains the same model at the same size many times.
    private static readonly ConcurrentDictionary<(ModelSpec, int, int, Precision, string, bool, int), MemoryNeed> Fitting = new();

    /// <param name="batch">The run's largest batch.</param>
    /// <param name="ceiling">The resident size the process may reach (what it holds now and the room left), or null to measure at the batch itself.</param>
    /// <returns>The need at <paramref name="batch"/>, or null where the peak cannot be measured (not Linux).</returns>
    public static MemoryNeed? Measure(TrainSettings settings, int width, int height, int batch, long? ceiling)
    {
        var key = (settings.Model, width, height, settings.Precision, settings.Objective.Description, settings.Ema is not null, batch);
        if (Fitting.TryGetValue(key, out var known) && (ceiling is null || known.PeakBytes <= ceiling)) return known;
        var memory = SystemMemory.This;
        if (!memory.ResetPeak()) return null;
        using var generator = random.get_rng_state(); // the throwaway model's initialisation draws from it
        try
        {
            using var scope = NewDisposeScope();
            using var model = ModelZoo.Create(settings.Model);
            // The throwaway model's weights are not there in the training; a moving average's copy is.
            long weights = CheckpointSpace.Bytes(model.parameters()), extra = settings.Ema is null ? -weights : 0;
            // Rate 0: the steps allocate and compute what the run's do, but no setting of the run's can make them diverge.
            using var optimizer = new AdamOptimizer(model.named_parameters(), settings.Optimizer with { LearningRate = 0, WeightDecay = 0 });
            using var shadow = settings.Precision == Precision.Bf16 ? new Bf16Shadow(model, settings.Model) : null;
            var step = TrainingStep.For(settings, model, optimizer, shadow);
            void Step(int n)
            {
                using var s = NewDisposeScope();
                step.Run(zeros(n, settings.Model.InChannels, height, width), zeros(new long[] { n, height, width }, ScalarType.Int64));
            }
            long? PeakOf(int n)
            {
                // No forced GC here (the steps' tensors are all in dispose scopes): a collection started on this thread
                // finalizes other threads' unreachable temporaries while libtorch may still read them.
                NativeHeap.Trim(); // the heap's free pages back to the kernel: only what the step touches is counted
                if (!memory.ResetPeak()) return null;
                Step(n);
                return memory.PeakResidentBytes() + extra;
            }
            Step(Math.Min(First, batch)); // gradients, Adam's moments and the kernels' caches are made by the first step, whatever the batch
            int measured = Math.Min(First, batch);
            if (PeakOf(measured) is not { } peak) return null;
            long start = memory.ResidentBytes() ?? peak, perImage = 0, grown = 0;
            while (true)
            {
                var need = new MemoryNeed(batch, peak + perImage * (batch - measured), measured, perImage);
                // Room to spare only once the batch's growth stands out of the noise of other threads' allocations.
                if (measured >= batch || (ceiling is { } c && (need.PeakBytes > c || (grown >= NoiseFloor && 2 * (need.PeakBytes - start) < c - start))))
                {
                    if (ceiling is null || need.PeakBytes <= ceiling) Fitting[key] = need;
                    return need;
                }
                int next = Math.Min(batch, 2 * measured);
                if (PeakOf(next) is not { } nextPeak) return null;
                grown = nextPeak - peak;
                perImage = Math.Max(0, grown / (next - measured));
                (measured, peak) = (next, nextPeak);
            }
        }
        catch (TrainingDivergedException) { return null; } // not the run's to fail for: its own first step says so
        finally { random.set_rng_state(generator); }
    }
}
