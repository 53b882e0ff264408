using System.Runtime.InteropServices;
using System.Text.Json;
using PetSeg.IO;
using PetSeg.Metrics;
using PetSeg.Pipeline.Config;
using PetSeg.Reporting;

namespace PetSeg.Pipeline.Graph.Nodes;

/// <summary>
/// Renders report.md (the lab's tables, loss curves, prediction grids, run metadata) into the store and publishes a
/// copy to <c>artifacts/report/</c>, the folder users open.
/// </summary>
public sealed class ReportNode(PipelineConfig config) : Stage
{
    public override string Id => "report";
    public override string Kind => "report";
    public override string CodeVersion => Stages.CodeVersion.Report;

    public override IReadOnlyList<string> DependsOn =>
        config.Experiments.SelectMany(e => new[] { $"train-{e.Id}", $"evaluate-{e.Id}" }).ToList();

    public override SortedDictionary<string, string> Parameters => new(StringComparer.Ordinal)
    {
        ["report"] = JsonSerializer.Serialize(config.Report),
        ["experiments"] = string.Join(";", config.Experiments.Select(e => $"{e.Id}={e.Title}")),
    };

    public override bool UsesInput(string dependency, string output) => output is "metrics.json" or "predictions.png" or "losses.json";

    /// <summary>The libtorch TorchSharp 0.107 is built against (its native package, libtorch-cpu 2.10.0).</summary>
    private const string LibTorchVersion = "2.10.0";

    public string PublishedDir => Path.Combine(config.ArtifactsDir, "report");

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var outputs = new Dictionary<string, StageOutput>();
        void Add(string path) => outputs[Path.GetFileName(path)] = new StageOutput(path, c.Digests.Of(path));

        var metrics = new Dictionary<string, Headline>();
        var plots = new Dictionary<string, string>();
        var grids = new Dictionary<string, string>();
        foreach (var e in config.Experiments)
        {
            var h = MetricsFile.ReadHeadline(c.Input($"evaluate-{e.Id}", "metrics.json").Path);
            metrics[e.Id] = new Headline(h.PixelError, h.F1Weighted, h.MeanIoU);
            using (var doc = JsonDocument.Parse(File.ReadAllText(c.Input($"train-{e.Id}", "losses.json").Path)))
            {
                var losses = doc.RootElement.GetProperty("epoch_losses").EnumerateArray().Select(x => x.GetDouble()).ToList();
                if (losses.Count > 0)
                {
                    var plot = LossPlot.Write(Path.Combine(c.OutputDir, $"loss-{e.Id}.png"), $"{e.Id}: train loss", losses);
                    plots[e.Id] = Path.GetFileName(plot);
                    Add(plot);
                }
            }
            if (c.Dependencies[$"evaluate-{e.Id}"].Outputs.ContainsKey("predictions.png"))
            {
                var target = Path.Combine(c.OutputDir, $"predictions-{e.Id}.png");
                File.Copy(c.Input($"evaluate-{e.Id}", "predictions.png").Path, target, overwrite: true);
                grids[e.Id] = Path.GetFileName(target);
                Add(target);
            }
        }

        var stages = c.Dependencies.Values.OrderBy(d => d.Stage, StringComparer.Ordinal)
            .Select(d => new StageSummary(d.Stage, d.Key, d.DurationSeconds)).ToList();
        var dataset = c.Dependencies.Values.SelectMany(d => d.Inputs).FirstOrDefault(i => i.Key == "preprocess/trainval.petc").Value ?? "n/a";
        var env = new List<(string, string)>
        {
            ("PetSeg", typeof(ReportNode).Assembly.GetName().Version?.ToString() ?? "?"),
            ("TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?"),
            ("libtorch", LibTorchVersion),
            ("device", "cpu"),
            ("torch threads", TorchSharp.torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("OS", RuntimeInformation.OSDescription),
            ("configuration", $"{Path.GetFileName(config.File)}{(config.Profile is null ? "" : $" (profile {config.Profile})")}"),
            ("training data (trainval cache digest)", $"`{dataset}`"),
        };
        var report = Path.Combine(c.OutputDir, "report.md");
        AtomicFile.WriteAllText(report, ReportWriter.Render(new ReportInput(config.Report, config.Experiments, metrics, plots, grids, stages, env)));
        Add(report);
        PublishCopy(c.OutputDir);
        c.Ui.Info($"report: {Path.Combine(PublishedDir, "report.md")}");
        return outputs;
    }

    /// <summary>Copies the report folder to artifacts/report/ by building it aside and renaming it into place.</summary>
    public void PublishCopy(string from)
    {
        var tmp = PublishedDir + ".partial";
        AtomicFile.TryDelete(tmp);
        Directory.CreateDirectory(tmp);
        foreach (var f in Directory.EnumerateFiles(from).Where(f => !f.EndsWith("entry.json", StringComparison.Ordinal)))
            File.Copy(f, Path.Combine(tmp, Path.GetFileName(f)));
        AtomicFile.Publish(tmp, PublishedDir);
    }
}
