using System.Diagnostics;
using PetSeg.Inference;
using PetSeg.Training;
using static TorchSharp.torch;

namespace PetSeg.Cli.Commands.Bench;

/// <summary>Times the trainer's own step and the evaluator's inference path, as training and evaluation run them.</summary>
internal static class StepTimer
{
    /// <summary>
    /// Seconds of <paramref name="steps"/> runs of the trainer's step, sorted, after two warm-up steps (allocator,
    /// optimizer state); finalizer-held memory is released after each step as the trainer does
    /// (PETSEG_NO_GC_PER_BATCH=1 turns that off). Only the measured steps feed <paramref name="timings"/>.
    /// </summary>
    public static List<double> TimeTrainSteps(TrainingStep step, Tensor x, Tensor y, int steps, CancellationToken ct,
        StepTimings? timings = null, Action? afterWarmUp = null, Action<int>? afterStep = null)
    {
        for (int i = 0; i < 2; i++) { step.Run(x, y); NativeMemory.Release(); }
        afterWarmUp?.Invoke();
        var times = new List<double>();
        for (int i = 0; i < steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            step.Run(x, y, timings);
            NativeMemory.Release();
            times.Add(sw.Elapsed.TotalSeconds);
            afterStep?.Invoke(i);
        }
        times.Sort();
        return times;
    }

    /// <summary>Median seconds of <paramref name="count"/> batches through <see cref="ClassPredictor"/> (the evaluator's inference path), after one warm-up batch.</summary>
    public static double MedianEvalSeconds(nn.Module<Tensor, Tensor> model, Tensor imagesUint8, int count)
    {
        var times = new List<double>();
        for (int i = 0; i < count + 1; i++)
        {
            var sw = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            _ = ClassPredictor.PredictClasses(model, imagesUint8).sum().item<long>();
            if (i > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
