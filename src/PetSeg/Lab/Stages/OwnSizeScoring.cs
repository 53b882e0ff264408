using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Inference;
using PetSeg.Lab.Config;
using PetSeg.Metrics;
using PetSeg.Workflow.Stages;
using static TorchSharp.torch;

namespace PetSeg.Lab.Stages;

/// <summary>
/// How an evaluation (of a run, or of an ensemble) scores the test split at each image's own size (<c>native_metrics:</c>,
/// <c>overlap:</c>): from the labels its one pass over the cache predicts, fed to <see cref="DuringEvaluation"/>; or, with
/// overlapping windows, which are not the cache's tiles, by a pass of its own over the test photos after it, as
/// <c>predict --overlap</c> segments them. Either way against the dataset's masks as they are.
/// </summary>
internal sealed class OwnSizeScoring
{
    private readonly PipelineConfig _config;
    private readonly StageContext _c;
    private readonly ISampleSet _test;
    private readonly ExperimentConfig _run;
    private readonly Dictionary<string, Data.Dataset.PetSample> _samples;
    private readonly NativeSizeScorer _scorer;

    private OwnSizeScoring(PipelineConfig config, StageContext c, ISampleSet test, int classes, ExperimentConfig run)
    {
        (_config, _c, _test, _run) = (config, c, test, run);
        // The dataset's test pairs by stem, as preprocess read them.
        _samples = Data.Dataset.OxfordPetDataset.Open(c.Input(StageIds.Download, DownloadStage.DatasetOutput).Path, "test", config.Preprocess.SkipBadSamples, config.Dataset.BySpecies)
            .Samples.ToDictionary(s => s.Stem, StringComparer.Ordinal);
        _scorer = new NativeSizeScorer(test, stem => Data.Dataset.OxfordPetDataset.LoadMask(_samples[stem]), classes, config.Preprocess.TileScale);
    }

    /// <summary>The scoring <paramref name="run"/> asks for (its <c>native_metrics:</c> and <c>overlap:</c>), or null for none.</summary>
    public static OwnSizeScoring? For(PipelineConfig config, StageContext c, ISampleSet test, int classes, ExperimentConfig run) =>
        run.NativeMetrics ? new OwnSizeScoring(config, c, test, classes, run) : null;

    /// <summary>What the evaluation pass feeds its labels to; null when the windows' own pass scores instead.</summary>
    public NativeSizeScorer? DuringEvaluation => _run.Overlap > 0 ? null : _scorer;

    /// <summary>The scores, once the evaluation pass is done (through <paramref name="model"/>'s windows with an overlap), logged as <paramref name="stage"/>'s.</summary>
    public NativeSizeMetrics Result(string stage, nn.Module<Tensor, Tensor> model)
    {
        if (_run.Overlap > 0) ScoreWindows(model);
        var native = _scorer.Result();
        var n = native.Metrics;
        var how = _run.Overlap > 0 ? $" through windows overlapping by {CanonicalParams.Of(_run.Overlap)}" : "";
        _c.Ui.Info($"{stage}: at the {native.Images:N0} test images' own size{how}: pixel error {n.PixelError:F4}, F1 (weighted) {n.F1Weighted:F4}, mean IoU {n.MeanIoU:F4}, Dice {n.Dice:F4} over {n.ValidPixels:N0} pixels");
        return native;
    }

    /// <summary>Every test photo the cache holds, segmented as <c>predict --overlap</c> segments it.</summary>
    private void ScoreWindows(nn.Module<Tensor, Tensor> model)
    {
        var stems = _test.Entries.Select(e => e.Stem).Distinct(StringComparer.Ordinal).ToList();
        using var bar = _c.Ui.Bar("windows", stems.Count, ProgressUnit.Items);
        int done = 0;
        foreach (var (predicted, stem) in Predictor.PredictMany(model, [.. stems.Select(s => _samples[s].ImagePath)], _config.Preprocess.ImageSize,
                     _run.Settings.BatchSize, _c.Cancellation, _config.Preprocess.TileScale, _run.Overlap).Zip(stems))
        {
            _scorer.Add(stem, predicted.Prediction ?? throw predicted.Failure!);
            bar.Update(++done);
        }
    }
}
