using TorchSharp;
using PetSeg.Compute;
using System.Diagnostics;
using PetSeg.Data.Cache;
using PetSeg.Models;
using PetSeg.Core;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Checkpoints;
using PetSeg.Training.Memory;
using PetSeg.Training.Optim;
using static TorchSharp.torch;
using PetSeg.Models.Input;

namespace PetSeg.Training;

/// <summary>
/// The lab's train loop: Adam/AdamW, CrossEntropy(ignore_index=255), batch 16 with a new seeded shuffle each epoch
/// (last partial batch kept), epoch loss = Σ(batch-mean loss × batch size) / samples. After every epoch a checkpoint
/// is written atomically; a rerun with the same settings resumes after the last complete epoch and ends bit-identical
/// to an uninterrupted run, because every epoch reseeds torch and the shuffle/augmentation generators from (seed, epoch).
/// A run stopped by its token on the CPU also saves where it stopped within the epoch (<see cref="PartialEpoch"/>).
/// </summary>
/// <param name="label">What the messages call this run (the stage id, e.g. <c>train-unet-base</c>).</param>
/// <param name="device">Where the model, batches and optimizer state live (default CPU); not part of the settings' key.</param>
public sealed class Trainer(TrainSettings settings, string runDir, IProgressSink ui, string label = "training", Device? device = null)
{
    private readonly Device _device = device ?? CPU;

    /// <summary>
    /// Scores the model on images held out of training after every epoch (the stage passes the evaluation: training
    /// does not know it), so the run leaves a validation curve beside its loss. Called in eval mode without gradients,
    /// which draws nothing from the generators: the training's bits are the same with it or without.
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>, CancellationToken, double>? Validate { get; init; }

    /// <summary>Keep the weights of the epoch with the best validation score (<see cref="BestPath"/>; ties: the earlier epoch).</summary>
    public bool KeepBest { get; init; }

    /// <summary>Stop once this many epochs in a row have not improved on the best validation score (early stopping).</summary>
    public int? Patience { get; init; }

    /// <summary>
    /// With <see cref="Patience"/>: train at least this many epochs before stopping early (Lightning's <c>min_epochs</c>),
    /// so a model still on its first plateau (all background) is not stopped there.
    /// </summary>
    public int MinEpochs { get; init; }

    /// <summary>
    /// Called with each batch's loss (zero-based epoch and batch) as soon as it is known; what it throws ends the run
    /// (<c>run --check</c> stops a training where its loss parts from the stored one).
    /// </summary>
    public Action<int, int, float>? AfterBatch { get; init; }

    public string CheckpointPath => Path.Combine(runDir, "last.ckpt");

    /// <summary>The weights of the best epoch so far, with <see cref="KeepBest"/> (no optimizer state: they are not resumed from).</summary>
    public string BestPath => Path.Combine(runDir, "best.safetensors");
    public string LogPath => Path.Combine(runDir, "train.log");

    public TrainResult Run(ISampleSet train, string settingsDigest, CancellationToken ct = default)
    {
        if ((KeepBest || Patience is not null) && Validate is null)
            throw new InvalidOperationException("keeping the best epoch or stopping early needs a validation score (Validate)");
        Directory.CreateDirectory(runDir);
        var clock = Stopwatch.StartNew();
        manual_seed(settings.Seed); // seeded initialisation: the "untrained" models are reproducible too
        var model = ModelZoo.Create(settings.Model);
        if (settings.EncoderWeights is { } weights) ModelZoo.LoadEncoderWeights(model, weights);
        if (_device.type != DeviceType.CPU) model.to(_device); // created and loaded on the CPU (seeded, as everywhere), then moved once
        using var optimizer = new AdamOptimizer(model.named_parameters(), settings.Optimizer);
        // With ema: the average is what is validated, kept as the best and published; the model goes on training.
        var average = settings.Ema is { } decay ? ExponentialMovingAverage.For(model, settings.Model, decay) : null;
        var shipped = average?.Model ?? model;

        var losses = new List<double>();
        var batchLosses = new List<IReadOnlyList<double>>();
        var validation = new List<double>();
        // Scores the epoch just trained; with KeepBest, a new best's weights are written before the epoch's checkpoint,
        // so a checkpoint never names a best epoch whose weights are not there.
        void ValidateEpoch(int epoch)
        {
            double score;
            using (no_grad()) score = Validate!(shipped, ct);
            validation.Add(score);
            int best = BestEpochIndex(validation);
            if (KeepBest && best == validation.Count - 1)
                TrainingCheckpoint.Save(BestPath, shipped, null, new CheckpointInfo(settings.Model, epoch + 1, settingsDigest, optimizer.Step, losses.ToList(),
                    BatchLosses: batchLosses.ToList(), ValidationMeanIoU: validation.ToList(), Ema: settings.Ema));
            Log($"epoch {epoch + 1}/{settings.Epochs}: validation mean IoU {score:F4}{(validation.Count > 1 ? $" (best {validation[best]:F4}, epoch {best + 1})" : "")}");
        }
        int startEpoch = 0;
        PartialEpoch? partial = null;
        if (File.Exists(CheckpointPath))
        {
            var info = TrainingCheckpoint.ReadInfo(CheckpointPath);
            if (info.ConfigDigest == settingsDigest && info.Epoch <= settings.Epochs && info.BatchLosses?.Count == info.Epoch
                && (info.Partial is null || info.Epoch < settings.Epochs) && (Validate is null || info.ValidationMeanIoU?.Count >= info.Epoch - 1)
                && (!KeepBest || info.ValidationMeanIoU is not { Count: > 0 } || File.Exists(BestPath)))
            {
                TrainingCheckpoint.Restore(CheckpointPath, model, optimizer, settings.Model, average);
                startEpoch = info.Epoch;
                partial = info.Partial;
                losses.AddRange(info.EpochLosses);
                batchLosses.AddRange(info.BatchLosses!);
                validation.AddRange(info.ValidationMeanIoU ?? []);
                Log($"resuming after epoch {startEpoch}{(partial is null ? "" : $", batch {partial.Batches} of epoch {startEpoch + 1}")} from {CheckpointPath}");
                if (Validate is not null && validation.Count < startEpoch) ValidateEpoch(startEpoch - 1); // stopped while validating it
            }
            else Log($"ignoring {CheckpointPath}: it belongs to other settings{(KeepBest && File.Exists(CheckpointPath) && !File.Exists(BestPath) ? " or its best epoch's weights are gone" : "")}");
        }

        bool moreToTrain = settings.Epochs > startEpoch && !StoppedEarly(); // a run that stopped early has none
        if (moreToTrain || settings.Epochs == 0) // both write checkpoints: say now if the disk cannot take them
            CheckpointSpace.Ensure(runDir, model, withOptimizer: settings.Epochs > 0, average?.Model, shipped, KeepBest);
        int samples = Math.Min(train.Count, settings.MaxTrainSamples ?? int.MaxValue);
        // Before anything is logged: a refused run leaves no folder behind, as one refused for disk space.
        // Its need stays in the machine's memory ledger while it trains, for trainings started beside it.
        using var memoryNeed = moreToTrain ? MemoryCheck.Ensure(settings, train.Width, train.Height, Math.Min(settings.BatchSize, samples), model, _device, label, Log, ct) : null;
        var augmenter = settings.Augmentation is { } a ? new BatchAugmenter(a) : null;
        bool StoppedEarly() => PatienceRunOut(validation, Patience, MinEpochs);
        using var shadow = settings.Precision == Precision.Bf16 && moreToTrain ? new Bf16Shadow(model, settings.Model) : null;
        if (shadow is not null && Bfloat16Hardware.WarningFor("precision") is { } warning) Log(warning);
        if (moreToTrain)
        {
            ComputeBackend.EnsureChecked(_device, bf16: shadow is not null); // before the first step, so the log says what computes
            var compute = ComputeBackend.RecordOn(_device);
            Log($"compute: {compute.Cpu}, {get_num_threads()} CPU thread(s); kernels: {compute.Backend}; numerics self-check: {compute.Verdict}");
            if (_device.type == DeviceType.CPU && SideBySideProcesses.Warning() is { } sideBySide) Log(sideBySide); // a GPU's training barely waits on CPU threads
            if (settings.ClassWeights is { } weighting)
            {
                _classWeights = weighting.Resolve(train, samples, settings.Model.Classes);
                Log($"class weights ({weighting.Name}{(weighting.Values is null ? $", from the {samples} training images' labelled pixels" : "")}): " +
                    string.Join(", ", _classWeights.Select((w, c) => $"class {c} {w.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}")));
            }
            if (settings.Loss is { } loss) Log($"loss: {loss.Description} (the losses below are its values, not cross-entropy's)");
            else if (_classWeights is not null) Log("loss: cross-entropy weighted by class (the losses below are its values, not the unweighted cross-entropy's)");
            if (average is not null)
                Log($"weights averaged (ema {average.Decay.ToString(System.Globalization.CultureInfo.InvariantCulture)}, its warm-up min(decay, (1 + n)/(10 + n)) after n updates): the average is validated and published");
        }
        PartialEpoch? stoppedWithin = null;
        try
        {
            for (int epoch = startEpoch; epoch < settings.Epochs && !StoppedEarly(); epoch++)
            {
                // A stop within the epoch saves where it got to (on the CPU, whose generator state is saved with it);
                // the completed epochs' losses do not change during the epoch, so they are copied only if it stops.
                void SaveStopped(PartialEpoch at)
                {
                    TrainingCheckpoint.Save(CheckpointPath, model, optimizer,
                        new CheckpointInfo(settings.Model, epoch, settingsDigest, optimizer.Step, losses.ToList(), BatchLosses: batchLosses.ToList(), Partial: at,
                            ValidationMeanIoU: Validate is null ? null : validation.ToList(), Ema: settings.Ema), average);
                    stoppedWithin = at;
                }
                var batches = RunEpoch(model, shadow, optimizer, average, train, samples, augmenter, epoch, epoch == startEpoch ? partial : null,
                    _device.type == DeviceType.CPU ? SaveStopped : null, ct);
                losses.Add(batches.EpochLoss);
                batchLosses.Add(batches.Losses);
                void SaveEpoch() => TrainingCheckpoint.Save(CheckpointPath, model, optimizer,
                    new CheckpointInfo(settings.Model, epoch + 1, settingsDigest, optimizer.Step, losses.ToList(), BatchLosses: batchLosses.ToList(),
                        ValidationMeanIoU: Validate is null ? null : validation.ToList(), Ema: settings.Ema), average);
                if (Validate is not null)
                {
                    try { ValidateEpoch(epoch); }
                    catch (OperationCanceledException) { SaveEpoch(); throw; } // the epoch is kept; the rerun validates it first
                }
                SaveEpoch();
                if (StoppedEarly())
                {
                    int best = BestEpochIndex(validation);
                    Log($"stopping early after epoch {epoch + 1}/{settings.Epochs}: validation mean IoU has not improved for {Patience} epoch(s) since epoch {best + 1} ({validation[best]:F4})");
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The log is what is left to read after a closed terminal, a kill or a job's time limit.
            Log($"stopped after {losses.Count} of {settings.Epochs} epoch(s){(stoppedWithin is { } p ? $" and {p.Batches} batch(es) of the next" : "")}: " +
                $"saved in {CheckpointPath}; the same command again resumes there");
            throw;
        }
        if (settings.Epochs == 0) TrainingCheckpoint.Save(CheckpointPath, model, null, new CheckpointInfo(settings.Model, 0, settingsDigest, 0, [], BatchLosses: [],
            ValidationMeanIoU: Validate is null ? null : [], Ema: settings.Ema), average);
        int? bestEpoch = KeepBest && validation.Count > 0 ? BestEpochIndex(validation) + 1 : null;
        if (bestEpoch is { } b && b < losses.Count) Log($"keeping the weights of epoch {b} (validation mean IoU {validation[b - 1]:F4}), the best of {losses.Count}");
        if (average is not null) model.Dispose(); // the result is the average, what the run publishes
        return new TrainResult(shipped, losses, batchLosses, startEpoch, clock.Elapsed) { ValidationMeanIoU = Validate is null ? null : validation, BestEpoch = bestEpoch };
    }

    /// <summary>The first epoch with the highest score (NaN counts as lowest).</summary>
    public static int BestEpochIndex(IReadOnlyList<double> scores) => scores.ToList().IndexOf(scores.Max());

    /// <summary>
    /// Whether <paramref name="patience"/> epochs in a row have not improved on the best score, after at least
    /// <paramref name="minEpochs"/> epochs: the run stops (or stopped) there.
    /// </summary>
    public static bool PatienceRunOut(IReadOnlyList<double> scores, int? patience, int minEpochs = 0) =>
        patience is { } p && scores.Count > 0 && scores.Count >= minEpochs && scores.Count - 1 - BestEpochIndex(scores) >= p;

    private sealed record EpochLosses(double EpochLoss, IReadOnlyList<double> Losses);

    /// <param name="from">Where a stopped run got to within this epoch: its batches are not run again.</param>
    /// <param name="saveStopped">Saves the run when it is stopped within the epoch (null: the last epoch's checkpoint stays).</param>
    private EpochLosses RunEpoch(nn.Module<Tensor, Tensor> model, Bf16Shadow? shadow, AdamOptimizer optimizer, ExponentialMovingAverage? average, ISampleSet train, int samples, BatchAugmenter? augmenter,
        int epoch, PartialEpoch? from, Action<PartialEpoch>? saveStopped, CancellationToken ct)
    {
        var (order, augRng) = Seeds.StartEpoch(settings.Seed, epoch, samples);
        optimizer.LearningRate = settings.LearningRateAt(epoch); // a function of the epoch: a resumed epoch sets the same
        var step = TrainingStep.For(settings, model, optimizer, shadow, _classWeights);
        double running = 0;
        var perBatch = new List<double>(capacity: (samples + settings.BatchSize - 1) / settings.BatchSize);
        int seen = 0, batches = (samples + settings.BatchSize - 1) / settings.BatchSize, first = 0;
        if (from is not null)
        {
            first = from.Batches;
            (running, seen) = (from.Running, Math.Min(samples, first * settings.BatchSize));
            perBatch.AddRange(from.Losses);
            for (int b = 0; b < first && augmenter is not null; b++) // replay the augmentation draws of the batches done
                augmenter.Draw(augRng, Math.Min(settings.BatchSize, samples - b * settings.BatchSize), train.Width, train.Height);
            using var state = tensor(Convert.FromBase64String(from.TorchRngState), dtype: ScalarType.Byte);
            random.set_rng_state(state);
        }
        var clock = Stopwatch.StartNew();
        using (var bar = ui.Bar($"epoch {epoch + 1}/{settings.Epochs}", samples, ProgressUnit.Items))
        {
            for (int b = first; b < batches; b++)
            {
                if (ct.IsCancellationRequested && b > first && saveStopped is not null)
                {
                    using var state = random.get_rng_state();
                    saveStopped(new PartialEpoch(b, perBatch.ToList(), running, Convert.ToBase64String(state.bytes.ToArray())));
                }
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var idx = order.AsSpan(b * settings.BatchSize, Math.Min(settings.BatchSize, samples - b * settings.BatchSize));
                var (input, masks) = TrainingBatch.Load(train, idx, _device, augmenter, augRng);
                float batchLoss;
                try { batchLoss = step.Run(input, masks); }
                catch (TrainingDivergedException e) { throw Diverged(e.Loss, epoch, b, batches); }
                average?.Update(optimizer.Step);
                _lastFinite = (batchLoss, epoch, b);
                perBatch.Add(batchLoss);
                AfterBatch?.Invoke(epoch, b, batchLoss);
                running += batchLoss * idx.Length;
                NativeMemory.Release();
                seen += idx.Length;
                double rate = seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                bar.Update(seen, $"batch {b + 1}/{batches} loss {running / seen:F4} {rate:F1} img/s");
            }
        }
        double epochLoss = running / samples;
        Log($"epoch {epoch + 1}/{settings.Epochs}: train loss {epochLoss:F4} ({samples} images in {clock.Elapsed.TotalSeconds:F1} s, {samples / clock.Elapsed.TotalSeconds:F1} img/s" +
            $"{(SystemMemory.This.PeakResidentBytes() is { } peak ? $", peak memory {MemoryRoom.Size(peak)}" : "")}" +
            $"{(settings.Schedule is null ? "" : $", lr {optimizer.LearningRate.ToString("G4", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant()}")})");
        return new EpochLosses(epochLoss, perBatch);
    }

    /// <summary>The last finite batch loss and where (epoch, batch; 0-based), for the message when one is not.</summary>
    private (float Loss, int Epoch, int Batch)? _lastFinite;

    /// <summary>The class weights resolved on this run's training images (<see cref="TrainSettings.ClassWeights"/>), or null.</summary>
    private double[]? _classWeights;

    private TrainingDivergedException Diverged(float loss, int epoch, int batch, int batches)
    {
        var last = _lastFinite is { } f ? $"the last finite loss was {f.Loss:G6} at epoch {f.Epoch + 1}, batch {f.Batch + 1}" : "no batch had a finite loss";
        var resume = epoch > 0 ? $"the checkpoint after epoch {epoch} ({CheckpointPath}) stays resumable" : "no epoch completed, so there is no checkpoint";
        var message = $"{label}: the loss became {loss} at epoch {epoch + 1}/{settings.Epochs}, batch {batch + 1}/{batches} ({last}). " +
                      $"Training stopped before that step changed the weights; nothing was published and {resume}. " +
                      $"A learning rate or weight decay too high for this model (lr {settings.Optimizer.LearningRate}, weight decay {settings.Optimizer.WeightDecay}) is the usual cause; 'petseg doctor' checks the kernels.";
        File.AppendAllText(LogPath, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} error: {message}\n"); // the console gets it once, from the exception
        return new TrainingDivergedException(message, loss);
    }

    private void Log(string line)
    {
        ui.Info(line);
        File.AppendAllText(LogPath, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line}\n");
    }
}
