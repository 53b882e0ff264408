using PetSeg.Data.Cache;
using PetSeg.Inference;
using PetSeg.IO;
using PetSeg.Models;
using PetSeg.Lab.Config;
using PetSeg.Training;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Stages;

namespace PetSeg.Lab.Stages;

/// <summary>
/// Trains one experiment. Work in progress lives in <c>artifacts/runs/&lt;key&gt;/</c> (per-epoch checkpoints, so an
/// interrupted run resumes there); the finished weights, the optimizer state (apart, so readers of the weights never fetch it), loss history and log
/// are published to the store.
/// Experiments with identical settings get identical keys and so train once.
/// </summary>
public class TrainStage(PipelineConfig config, ExperimentConfig experiment) : Stage
{
    public override string Id => StageIds.Train(experiment.Id);
    public override string Kind => StageIds.TrainKind;
    public override string? Group => StageIds.TrainKind;
    public override bool Computes => true;
    public override string DeviceSetting => experiment.Device ?? config.Compute.Device;
    public override string CodeVersion => StageVersions.Train;
    public override IReadOnlyList<string> DependsOn => experiment.Pretrained ? [StageIds.Preprocess, StageIds.Weights] : [StageIds.Preprocess];
    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var p = CanonicalParams.Training(experiment.Settings, experiment.Pretrained, experiment.Validation, experiment.KeepBest, experiment.Patience, experiment.MinEpochs, experiment.Folds, experiment.Fold);
            if (experiment.ValidationByGroup) p["validation_by"] = "group"; // absent = by image, so existing keys stay valid
            return p;
        }
    }

    public override bool UsesInput(string dependency, string output) =>
        dependency != StageIds.Preprocess || output == PreprocessStage.OutputName("trainval");

    /// <summary>Where a run of this key keeps its checkpoint and log until it is published.</summary>
    private string RunDir(string key) => Path.Combine(config.ArtifactsDir, "runs", key[(key.IndexOf(':') + 1)..]);

    /// <summary>Where a <c>run --check</c> trains, inside its work folder: from scratch, apart from the run's checkpoints.</summary>
    private const string CheckRunDir = "run";

    /// <summary>The run's checkpoint, rewritten after every epoch.</summary>
    private string CheckpointOf(string key) => Path.Combine(RunDir(key), "last.ckpt");

    public override string? WorkInProgress(string key)
    {
        var checkpoint = CheckpointOf(key);
        if (!File.Exists(checkpoint)) return null;
        try
        {
            var info = TrainingCheckpoint.ReadInfo(checkpoint);
            if (info.ValidationMeanIoU is { } scores && Trainer.PatienceRunOut(scores, experiment.Patience, experiment.MinEpochs))
                return $"a run that stopped early after {info.Epoch} of {experiment.Settings.Epochs} epoch(s) (validation mean IoU best at epoch {Trainer.BestEpochIndex(scores) + 1}) " +
                       $"was not published: running it publishes it without training ({Path.GetRelativePath(Directory.GetCurrentDirectory(), checkpoint)})";
            var at = info.Partial is { } p ? $"{info.Epoch}{OfPlanned} epoch(s) and {p.Batches} batch(es) of the next done"
                : $"{info.Epoch}{OfPlanned} epoch(s) done";
            return $"a stopped run left {at}: running it resumes there ({Path.GetRelativePath(Directory.GetCurrentDirectory(), checkpoint)})";
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException) { return null; } // being written, or damaged: the run decides
    }

    public override string? Progress(string key, string? workDir)
    {
        // A check trains in its work folder (Train: runDir), a run in artifacts/runs/<key>.
        var checkpoint = workDir is not null && Directory.Exists(Path.Combine(workDir, CheckRunDir)) ? Path.Combine(workDir, CheckRunDir, "last.ckpt") : CheckpointOf(key);
        if (!File.Exists(checkpoint)) return $"0{OfPlanned} epoch(s) done";
        try { return $"{TrainingCheckpoint.ReadInfo(checkpoint).Epoch}{OfPlanned} epoch(s) done"; }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException) { return null; } // being replaced this instant
    }

    /// <summary>" of 24" for "3 of 24 epoch(s) done", where the epochs are known before the stage runs.</summary>
    protected virtual string OfPlanned => $" of {experiment.Settings.Epochs}";

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c) => Train(c, experiment);

    /// <summary>The log holds the run's times and memory: how it ran, not what it computed.</summary>
    public override bool RecordsTheRun(string output) => output == LogName;

    /// <summary>The first batch whose loss differs: where two trainings parted.</summary>
    public override string? Difference(string output, string storedPath, string recomputedPath) =>
        output == LossesName ? LossHistory.FirstDifference(LossHistory.Read(storedPath), LossHistory.Read(recomputedPath)) : null;

    private const string LogName = "train.log", LossesName = "losses.json";

    /// <summary>Trains <paramref name="run"/>'s settings (the experiment's own; for a refit, the chosen row's) and publishes them as this stage's result.</summary>
    protected IReadOnlyDictionary<string, StageOutput> Train(StageContext c, ExperimentConfig run)
    {
        var settings = run.Settings;
        if (run.Pretrained)
            settings = settings with { EncoderWeights = c.Input(StageIds.Weights, ModelZoo.EncoderName(settings.Model.Architecture)!).Path };
        // Checked (run --check): from scratch, in the work folder; never resumed from or left in the key's run folder.
        var runDir = c.Stored is null ? RunDir(c.Key) : Path.Combine(c.OutputDir, CheckRunDir);
        var storedLosses = c.Stored is { } stored && stored.Outputs.ContainsKey(LossesName) ? LossHistory.Read(stored.OutputPath(LossesName)).BatchLosses : null;
        using var trainval = TensorCache.Open(c.Input(StageIds.Preprocess, PreprocessStage.OutputName("trainval")).Path);
        ISampleSet train;
        ISampleSet? held;
        try { (train, held) = run.HoldOut(trainval); }
        catch (Core.ConfigException e) { throw new Core.ConfigException($"{config.File}: experiment {run.ExperimentId}: {e.Message}"); } // a split the data cannot give: say where it is asked for
        var images = held is null ? $"{trainval.Count} images"
            : $"{train.Count} of {trainval.Count} images ({held.Count} held out for validation{(run.Folds > 0 ? $": fold {run.Fold} of {run.Folds}" : "")})";
        var schedule = settings.Schedule is { } sc ? $" ({sc.Describe()})" : "";
        c.Ui.Info($"{Id}: {settings.Model}, {settings.Optimizer.Name} lr {settings.Optimizer.LearningRate}{schedule} wd {settings.Optimizer.WeightDecay}, " +
                  (settings.Loss is { } loss ? $"loss {loss.Description}, " : "") +
                  (settings.GradClip is { } clip ? $"gradients clipped to norm {clip}, " : "") +
                  (settings.Ema is { } ema ? $"weights averaged (ema {ema}), " : "") +
                  $"{settings.Epochs} epoch(s), batch {settings.BatchSize}, {(settings.Augmentation is null ? "no augmentation" : "augmentation")}, {images}");
        var trainer = new Trainer(settings, runDir, c.Ui, Id, c.Device)
        {
            KeepBest = run.KeepBest,
            Patience = run.Patience,
            MinEpochs = run.MinEpochs,
            // The evaluate stage's computation on the held-out images, after every epoch: the run's validation curve.
            Validate = held is null ? null : (model, ct) => Evaluator.Run(model, held, settings.Model.Classes, settings.BatchSize, c.Ui, "validate", ct).MeanIoU,
            // Checked: the first batch whose loss is not the stored one ends it; everything after would differ too.
            AfterBatch = storedLosses is null ? null : (epoch, batch, loss) =>
            {
                if (epoch < storedLosses.Count && batch < storedLosses[epoch].Count && storedLosses[epoch][batch] != loss)
                    throw new PartedFromStoredException(LossesName, LossHistory.Parting(epoch, batch, storedLosses[epoch][batch], loss));
            },
        };
        TrainResult result;
        try { result = trainer.Run(train, c.Key, c.Cancellation); }
        catch
        {
            // A run that failed before its first checkpoint (a full disk, a bad encoder file) leaves no empty folder behind.
            if (Directory.Exists(runDir) && !Directory.EnumerateFileSystemEntries(runDir).Any()) AtomicFile.TryDelete(runDir);
            throw;
        }
        result.Model.Dispose();

        var outputs = new Dictionary<string, StageOutput>();
        void Put(string name, string source)
        {
            // Copied, not moved: if publishing fails, the resumable checkpoint is still there.
            var target = Path.Combine(c.OutputDir, name);
            File.Copy(source, target, overwrite: true);
            outputs[name] = c.Output(target);
        }
        var weights = Path.Combine(c.OutputDir, TrainingCheckpoint.WeightsFile);
        var state = Path.Combine(c.OutputDir, TrainingCheckpoint.StateFile);
        TrainingCheckpoint.Split(Path.Combine(runDir, "last.ckpt"), weights, state);
        if (result.BestEpoch is not null) File.Copy(trainer.BestPath, weights, overwrite: true); // keep: best — the state stays the last epoch's
        outputs[TrainingCheckpoint.WeightsFile] = c.Output(weights);
        outputs[TrainingCheckpoint.StateFile] = c.Output(state);
        if (File.Exists(Path.Combine(runDir, LogName))) Put(LogName, Path.Combine(runDir, LogName));
        var losses = Path.Combine(c.OutputDir, LossesName);
        new LossHistory(experiment.Id, result.EpochLosses, result.BatchLosses) { ValidationMeanIoU = result.ValidationMeanIoU }.Write(losses);
        outputs[LossesName] = c.Output(losses);
        AtomicFile.TryDelete(runDir);
        return outputs;
    }
}
