using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Models;
using PetSeg.Models.Input;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Memory;
using PetSeg.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Training;

/// <summary>
/// Leslie Smith's learning-rate range test as Lightning's <c>Tuner.lr_find</c> runs it (mode "exponential"): a fresh
/// model built and seeded as the run would be, trained for <see cref="Steps"/> steps on its own batches (order and
/// augmentation drawn per epoch as the trainer draws them) while the rate grows geometrically from
/// <see cref="MinLr"/> to <see cref="MaxLr"/>, lrᵢ = min·(max/min)^(i/(steps − 1)). The loss is smoothed by a
/// bias-corrected running mean, as Lightning and fastai smooth it (avg ← β·avg + (1 − β)·loss, β = 0.98; after n
/// losses smoothed = avg/(1 − βⁿ)), and the test stops once the smoothed loss is above 4× its best from the second
/// step on (Lightning's <c>early_stop_threshold</c>) or a loss is not finite. The suggestion is Lightning's: the rate
/// where the smoothed loss falls fastest (the minimum of its gradient over the steps, skipping the first 10 and the
/// last). Nothing is written: the model is thrown away.
/// </summary>
public sealed class LearningRateFinder(TrainSettings settings, IProgressSink ui, Device? device = null)
{
    public const double Beta = 0.98;
    public const double StopFactor = 4.0;
    private const int SkipBegin = 10, SkipEnd = 1;

    public double MinLr { get; init; } = 1e-8;
    public double MaxLr { get; init; } = 1;
    public int Steps { get; init; } = 100;

    /// <summary>The rate of step <paramref name="step"/> (0-based) of <paramref name="steps"/>.</summary>
    public static double RateAt(int step, int steps, double min, double max) => min * Math.Pow(max / min, steps == 1 ? 0 : (double)step / (steps - 1));

    public LearningRateSweep Run(ISampleSet train, CancellationToken ct = default)
    {
        if (!(MinLr > 0 && MaxLr > MinLr)) throw new ArgumentException($"the rates must rise from a positive minimum: {MinLr} to {MaxLr}");
        if (Steps < 2) throw new ArgumentException($"a range test takes at least 2 steps, not {Steps}");
        var on = device ?? CPU;
        int samples = Math.Min(train.Count, settings.MaxTrainSamples ?? int.MaxValue);
        manual_seed(settings.Seed);
        using var model = ModelZoo.Create(settings.Model);
        using var memoryNeed = MemoryCheck.Ensure(settings, train.Width, train.Height, Math.Min(settings.BatchSize, samples), model, on, "lr-find", ui.Info, ct);
        if (settings.EncoderWeights is { } weights) ModelZoo.LoadEncoderWeights(model, weights);
        if (on.type != DeviceType.CPU) model.to(on);
        using var optimizer = new AdamOptimizer(model.named_parameters(), settings.Optimizer);
        using var shadow = settings.Precision == Precision.Bf16 ? new Bf16Shadow(model, settings.Model) : null;
        var step = TrainingStep.For(settings, model, optimizer, shadow, settings.ClassWeights?.Resolve(train, samples, settings.Model.Classes)); // the loss the run will minimise
        var augmenter = settings.Augmentation is { } a ? new BatchAugmenter(a) : null;

        int perEpoch = (samples + settings.BatchSize - 1) / settings.BatchSize;
        var rates = new List<double>();
        var losses = new List<double>();
        var smoothed = new List<double>();
        double average = 0, best = double.PositiveInfinity;
        string stop = $"all {Steps} steps";
        int[] order = [];
        Random? augRng = null;
        using (var bar = ui.Bar("lr-find", Steps, ProgressUnit.Items))
        {
            for (int i = 0; i < Steps; i++)
            {
                ct.ThrowIfCancellationRequested();
                int epoch = i / perEpoch, b = i % perEpoch;
                if (b == 0) (order, augRng) = Seeds.StartEpoch(settings.Seed, epoch, samples); // a new pass, drawn as the trainer draws epoch `epoch`
                double lr = RateAt(i, Steps, MinLr, MaxLr);
                optimizer.LearningRate = lr;
                float loss;
                using (NewDisposeScope())
                {
                    var idx = order.AsSpan(b * settings.BatchSize, Math.Min(settings.BatchSize, samples - b * settings.BatchSize));
                    var (input, masks) = TrainingBatch.Load(train, idx, on, augmenter, augRng!);
                    try { loss = step.Run(input, masks); }
                    catch (TrainingDivergedException e) { stop = $"the loss became {e.Loss} at lr {lr:G3}"; break; }
                }
                NativeMemory.Release();
                average = Beta * average + (1 - Beta) * loss;
                double s = average / (1 - Math.Pow(Beta, i + 1));
                rates.Add(lr);
                losses.Add(loss);
                smoothed.Add(s);
                bar.Update(i + 1, $"lr {lr:G3} loss {s:F4}");
                if (i > 0 && s > StopFactor * best) { stop = $"the smoothed loss passed {StopFactor}× its best at lr {lr:G3}"; break; } // from the second step, as Lightning's
                if (s < best) best = s;
            }
        }
        return new LearningRateSweep(rates, losses, smoothed, Suggest(smoothed), stop);
    }

    /// <summary>Lightning's suggestion: the steepest fall of the smoothed loss, or null when too few steps ran.</summary>
    public static int? Suggest(IReadOnlyList<double> smoothed)
    {
        int end = smoothed.Count - SkipEnd;
        if (end - SkipBegin < 2) return null;
        int bestAt = -1;
        double steepest = double.PositiveInfinity;
        for (int i = SkipBegin; i < end; i++)
        {
            // numpy.gradient: one-sided at the ends of the slice, central inside.
            double g = i == SkipBegin ? smoothed[i + 1] - smoothed[i]
                : i == end - 1 ? smoothed[i] - smoothed[i - 1]
                : (smoothed[i + 1] - smoothed[i - 1]) / 2;
            if (g < steepest) (steepest, bestAt) = (g, i);
        }
        return bestAt;
    }
}
