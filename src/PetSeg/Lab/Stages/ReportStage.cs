using PetSeg.Core;
using System.Runtime.InteropServices;
using System.Text.Json;
using PetSeg.IO;
using PetSeg.Inference;
using PetSeg.Metrics;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Store;
using PetSeg.Reporting;
using PetSeg.Training;
using PetSeg.Workflow.Stages;

namespace PetSeg.Lab.Stages;

/// <summary>
/// Renders report.md (the lab's tables, loss curves, prediction grids, run metadata) into the store; the copy in
/// <c>artifacts/report/</c>, the folder users open, is refreshed from the current key's entry on every run.
/// </summary>
public sealed class ReportStage(PipelineConfig config) : Stage
{
    public override string Id => StageIds.Report;
    public override string Kind => StageIds.Report;
    public override string CodeVersion => StageVersions.Report;

    public override IReadOnlyList<string> DependsOn =>
        [.. config.Experiments.SelectMany(e => new[] { StageIds.Train(e.Id), StageIds.Evaluate(e.Id) }),
         .. config.Ensembles().Select(seeds => StageIds.Ensemble(seeds[0].ExperimentId))];

    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["report"] = JsonSerializer.Serialize(config.Report),
                ["experiments"] = string.Join(";", config.Experiments.Select(e => $"{e.Id}={e.Title}")),
            };
            if (Evaluation(config) is { } evaluation) p["evaluation"] = evaluation; // what the report prints; absent as before
            if (!config.Dataset.ClassNames.SequenceEqual(SegmentationLabels.Names)) p["classes"] = string.Join(",", config.Dataset.ClassNames); // likewise
            if (config.Preprocess.TileScale is { } scale) p["tiles"] = $"scale={CanonicalParams.Of(scale)},size={CanonicalParams.Of(config.Preprocess.ImageSize)}"; // the header says so; likewise
            return p;
        }
    }

    /// <summary>
    /// Which experiments were scored otherwise than the lab scores (test-time augmentation, a bfloat16 copy), for the
    /// report's metadata, so a figure is never read as the lab's kind when it is not; null when every one is the lab's.
    /// </summary>
    private static string? Evaluation(PipelineConfig config)
    {
        static string Ids(IEnumerable<ExperimentConfig> runs) => string.Join(", ", runs.Select(e => e.Id));
        var tta = config.Experiments.Where(e => e.Tta != TestTimeAugmentation.None).ToList();
        var bf16 = config.Experiments.Where(e => e.EvalPrecision == Precision.Bf16).ToList();
        var parts = new List<string>();
        if (tta.Count > 0) parts.Add($"the mean of each image's and its mirror's logits (tta: hflip) for {Ids(tta)}");
        if (bf16.Count > 0) parts.Add($"a bfloat16 copy of the weights (eval_precision: bf16) for {Ids(bf16)}");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    public override bool UsesInput(string dependency, string output) =>
        output is "metrics.json" or "losses.json" or EvaluateStage.PerImageFile or EvaluateStage.BestGrid or EvaluateStage.WorstGrid;

    public string PublishedDir => Path.Combine(config.ArtifactsDir, "report");

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var outputs = new Dictionary<string, StageOutput>();
        void Add(string path) => outputs[Path.GetFileName(path)] = c.Output(path);

        var runs = new Dictionary<string, List<SeedRun>>(StringComparer.Ordinal);
        var curves = new Dictionary<string, LossHistory>(StringComparer.Ordinal);
        var losses = new Dictionary<string, string>(StringComparer.Ordinal); // where a run minimised another loss than cross-entropy
        var grids = new Dictionary<string, ExperimentFigures>();
        var perImage = new List<(string, IReadOnlyList<ImageIoU>)>();
        foreach (var e in config.Experiments)
        {
            var evaluate = StageIds.Evaluate(e.Id);
            var group = e.ExperimentId;
            if (!runs.TryGetValue(group, out var list)) runs[group] = list = [];
            list.Add(SeedRun.Of(e.Settings.Seed, MetricsFile.Read(c.Input(evaluate, EvaluateStage.MetricsName).Path), e.Fold));
            if (list.Count > 1) continue; // curves and predictions: the first seed's
            curves[group] = LossHistory.Read(c.Input(StageIds.Train(e.Id), "losses.json").Path);
            if (e.Settings.Loss is { } loss) losses[group] = loss.Name;
            var evaluated = c.Dependencies[evaluate].Outputs;
            string? Copy(string output, string name)
            {
                if (!evaluated.ContainsKey(output)) return null;
                var target = Path.Combine(c.OutputDir, name);
                File.Copy(c.Input(evaluate, output).Path, target, overwrite: true);
                Add(target);
                return name;
            }
            var images = PerImageIoU.Read(c.Input(evaluate, EvaluateStage.PerImageFile).Path);
            perImage.Add((group, images));
            var histogram = PerImageIoU.Histogram(Path.Combine(c.OutputDir, $"iou-histogram-{group}.png"), $"{group}: per-image IoU", images);
            Add(histogram);
            grids[group] = new ExperimentFigures(Copy(EvaluateStage.BestGrid, $"predictions-best-{group}.png"),
                Copy(EvaluateStage.WorstGrid, $"predictions-worst-{group}.png"), Path.GetFileName(histogram));
        }

        var ensembles = config.Ensembles().ToDictionary(seeds => seeds[0].ExperimentId,
            seeds => MetricsFile.Read(c.Input(StageIds.Ensemble(seeds[0].ExperimentId), EvaluateStage.MetricsName).Path), StringComparer.Ordinal);

        string? lossChart = null, iouChart = null, validationChart = null;
        if (curves.Values.Any(v => v.EpochLosses.Count > 0))
        {
            lossChart = LossPlot.WriteAll(Path.Combine(c.OutputDir, "loss.png"), "training loss", curves, losses);
            Add(lossChart);
        }
        if (ValidationPlot.Any(curves))
        {
            validationChart = ValidationPlot.Write(Path.Combine(c.OutputDir, "validation.png"), "mean IoU on the held-out validation images", curves);
            Add(validationChart);
        }
        iouChart = MetricBars.Write(Path.Combine(c.OutputDir, "mean-iou.png"), "test mean IoU",
            runs.Select(r => (r.Key, PetSeg.Reporting.Statistics.SeedInterval.Of(r.Value.Select(x => x.Metrics.MeanIoU).ToList()))).ToList());
        Add(iouChart);

        var stages = c.Dependencies.Values.OrderBy(d => d.Stage, StringComparer.Ordinal)
            .Select(d => new StageSummary(d.Stage, d.Key, d.DurationSeconds)).ToList();
        var dataset = c.Dependencies.Values.SelectMany(d => d.Inputs)
            .FirstOrDefault(i => i.Key == $"{StageIds.Preprocess}/{PreprocessStage.OutputName("trainval")}").Value ?? "n/a";
        var env = new List<(string, string)>
        {
            ("PetSeg", BuildVersion.Text),
            ("TorchSharp", BuildVersion.TorchSharp),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("OS", RuntimeInformation.OSDescription),
            ("configuration", $"{Path.GetFileName(config.File)}{(config.Profile is null ? "" : $" (profile {config.Profile})")}"),
            ("training data (trainval cache digest)", $"`{dataset}`"),
        };
        if (Evaluation(config) is { } evaluation) env.Add(("evaluation", evaluation));
        env.InsertRange(env.FindIndex(e => e.Item1 == "TorchSharp") + 1, ComputedWith(c.Dependencies.Values));
        var report = Path.Combine(c.OutputDir, "report.md");
        AtomicFile.WriteAllText(report, ReportWriter.Render(new ReportInput(config.Report, runs.Keys.ToList(),
            runs.ToDictionary(r => r.Key, r => (IReadOnlyList<SeedRun>)r.Value),
            lossChart is null ? null : Path.GetFileName(lossChart), Path.GetFileName(iouChart), grids, stages, env)
            { ValidationChart = validationChart is null ? null : Path.GetFileName(validationChart), ClassNames = config.Dataset.ClassNames,
                TileScale = config.Preprocess.TileScale, ImageSize = config.Preprocess.ImageSize, Ensembles = ensembles, PerImage = perImage }));
        Add(report);
        return outputs;
    }

    /// <summary>
    /// Where the results were computed, from the train and evaluate entries (each records its CPU, kernel path and
    /// self-check verdict; entries pulled from a remote may come from other machines, so every distinct value is listed).
    /// </summary>
    private static IEnumerable<(string, string)> ComputedWith(IEnumerable<StoreEntry> entries)
    {
        var records = entries.Where(e => e.Compute is not null).OrderBy(e => e.Stage, StringComparer.Ordinal).Select(e => e.Compute!).ToList();
        string Distinct(Func<PetSeg.Compute.ComputeRecord, string> field) =>
            records.Count == 0 ? "not recorded" : string.Join("; ", records.Select(field).Distinct());
        // Entries from before the libtorch was recorded were computed with the package's.
        yield return ("libtorch", records.Count == 0 ? PetSeg.Compute.LibTorchFolder.Describe() : Distinct(r => r.Libtorch ?? PetSeg.Compute.LibTorchFolder.PackageDescription));
        yield return ("device", records.Count == 0 ? "cpu" : Distinct(r => r.Device ?? "cpu"));
        yield return ("CPU", Distinct(r => r.Cpu));
        yield return ("CPU threads", Distinct(r => r.Threads?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not recorded"));
        yield return ("kernels", Distinct(r => r.Backend));
        yield return ("numerics self-check", Distinct(r => r.Verdict));
    }

    /// <summary>
    /// Makes <c>artifacts/report/</c> show this entry (the current key's report, after a run or a cache hit alike):
    /// built aside and renamed into place, so a reader never sees half of one report and half of another.
    /// </summary>
    public override bool Presents => true;

    public override void Present(StoreEntry entry, Core.IProgressSink ui)
    {
        var tmp = PublishedDir + ".partial";
        AtomicFile.TryDelete(tmp);
        Directory.CreateDirectory(tmp);
        foreach (var name in entry.Outputs.Keys)
            File.Copy(entry.OutputPath(name), Path.Combine(tmp, name));
        AtomicFile.Publish(tmp, PublishedDir);
        ui.Info($"report: {Path.Combine(PublishedDir, "report.md")}");
    }
}
