using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using PetSeg.Cli.Console;
using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.IO;
using PetSeg.Lab;
using PetSeg.Reporting;
using PetSeg.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

[Description("Find a learning rate for an experiment: Leslie Smith's range test as Lightning's lr_find runs it. A fresh model, seeded as the run's, trains on the run's own batches while the rate grows geometrically; the loss against the rate, smoothed, is printed and charted (artifacts/lr-find/<experiment>.png), and the rate where it falls fastest is suggested. Preprocesses first if needed; trains nothing that is kept.")]
public sealed class LrFindCommand : GuardedCommand<LrFindCommand.Settings>
{
    public sealed class Settings : PipelineSettings
    {
        [CommandArgument(0, "<EXPERIMENT>")][Description("An experiment in pipeline.yaml (a matrix's run by its name, e.g. sweep-2): its model, optimizer, loss, batch size, augmentation, precision and images are used; its lr is not.")]
        public string Experiment { get; init; } = "";
        [CommandOption("--min <LR>")][Description("The first rate (default 1e-8, Lightning's).")]
        public double Min { get; init; } = 1e-8;
        [CommandOption("--max <LR>")][Description("The last rate (default 1).")]
        public double Max { get; init; } = 1;
        [CommandOption("--steps <N>")][Description("Optimizer steps (default 100); the test stops earlier once the smoothed loss passes 4× its best.")]
        public int Steps { get; init; } = 100;
        [CommandOption("--json")][Description("Print the result as one JSON object (rates, losses, smoothed losses, the suggestion), nothing else on standard output.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            !(Min > 0) ? ValidationResult.Error($"--min must be above 0, not {Min.ToString(CultureInfo.InvariantCulture)}")
            : !(Max > Min) ? ValidationResult.Error($"--max must be above --min ({Min.ToString(CultureInfo.InvariantCulture)}), not {Max.ToString(CultureInfo.InvariantCulture)}")
            : Steps < 12 ? ValidationResult.Error($"--steps must be at least 12 (the suggestion skips the first 10 and the last), not {Steps}")
            : base.Validate();
    }

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var config = s.Load();
        var inputs = ExperimentTrainingInputs.Resolve(config, s.Runner(config, quiet: s.Json), s.Experiment, ct);
        var compute = config.Compute with { Device = s.Device ?? inputs.Run.Device ?? config.Compute.Device };
        var device = ComputeBackend.Prepare(compute, compute.Device, System.Console.Error.WriteLine);
        using var trainval = TensorCache.Open(inputs.TrainvalPath);
        var train = inputs.Run.HoldOut(trainval).Train; // as the run trains
        var settings = inputs.Settings;
        var lr = settings.Optimizer.LearningRate;
        if (!s.Json)
            System.Console.WriteLine($"lr-find: {s.Experiment} ({settings.Model.Architecture}, {settings.Optimizer.Name}, batch {settings.BatchSize}, " +
                (settings.Loss is { } loss ? $"loss {loss.Name}, " : "") +
                $"{(settings.Augmentation is null ? "no augmentation" : "augmentation")}), {s.Steps} steps over {train.Count} images, lr {s.Min:G3} → {s.Max:G3}, on {device}");
        var sweep = new LearningRateFinder(settings, s.Json ? NullProgressSink.Instance : new ConsoleProgressSink(), device) { MinLr = s.Min, MaxLr = s.Max, Steps = s.Steps }.Run(train, ct);

        var dir = Path.Combine(config.ArtifactsDir, "lr-find");
        Directory.CreateDirectory(dir);
        var chart = LearningRatePlot.Write(Path.Combine(dir, $"{s.Experiment}.png"), $"{s.Experiment}: learning-rate range test", sweep, lr);
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["experiment"] = s.Experiment, ["suggested_lr"] = sweep.SuggestedRate, ["configured_lr"] = lr, ["stopped"] = sweep.Stopped,
            ["lr"] = sweep.Rates, ["loss"] = sweep.Losses, ["smoothed_loss"] = sweep.Smoothed,
        });
        AtomicFile.WriteAllText(Path.Combine(dir, $"{s.Experiment}.json"), json + "\n");
        if (s.Json)
        {
            System.Console.WriteLine(json);
            return Task.FromResult(sweep.Suggested is null ? 1 : 0);
        }
        // Every tenth step and the suggestion: enough to read the curve's shape in a terminal.
        var shown = Enumerable.Range(0, sweep.Rates.Count).Where(i => i % 10 == 0 || i == sweep.Rates.Count - 1 || i == sweep.Suggested).Distinct().Order();
        System.Console.WriteLine($"  {"lr",9}  {"loss",8}  {"smoothed",8}");
        foreach (var i in shown)
            System.Console.WriteLine($"  {sweep.Rates[i],9:0.0e+00}  {sweep.Losses[i],8:F4}  {sweep.Smoothed[i],8:F4}{(i == sweep.Suggested ? "  ← steepest fall" : "")}");
        System.Console.WriteLine($"stopped: {sweep.Stopped}");
        if (sweep.SuggestedRate is { } suggested)
            System.Console.WriteLine($"suggested lr: {suggested:0.0e+00}, where the smoothed loss falls fastest (the experiment trains at {lr:G3}); " +
                "a matrix over a few rates around it, with validation:, decides");
        else
            System.Console.Error.WriteLine($"error: too few steps ran for a suggestion ({sweep.Rates.Count}; {sweep.Stopped}): lower --max or raise --min");
        System.Console.WriteLine($"chart: {Path.GetRelativePath(Directory.GetCurrentDirectory(), chart)}");
        return Task.FromResult(sweep.Suggested is null ? 1 : 0);
    }
}
