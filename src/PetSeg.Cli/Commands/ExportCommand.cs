using System.ComponentModel;
using PetSeg.Models.Weights;
using PetSeg.Lab.Stages;
using PetSeg.Training.Checkpoints;
using Spectre.Console;
using static TorchSharp.torch;

namespace PetSeg.Cli.Commands;

[Description("Write an experiment's trained weights alone, under PyTorch's state_dict names, so model.load_state_dict(strict=True) takes them as they are.")]
public sealed class ExportCommand : GuardedCommand<ExportSettings>
{
    protected override Task<int> RunAsync(ExportSettings s, CancellationToken ct)
    {
        var config = s.Load();
        // With several seeds an experiment has one run per seed: its first seed's weights are exported.
        var run = config.Experiments.FirstOrDefault(e => e.ExperimentId == s.Experiment)
            ?? throw new PetSeg.Core.ConfigException($"{config.File}: no experiment '{s.Experiment}'{PetSeg.Core.ClosestName.Suggestion(s.Experiment, config.Experiments.Select(e => e.ExperimentId))}. Defined: {string.Join(", ", config.Experiments.Select(e => e.ExperimentId).Distinct())}");
        var stage = StageIds.Train(run.Id);
        var entry = s.Runner(config, quiet: true).FreshEntry(stage)
            ?? throw new PetSeg.Workflow.Graph.PipelineException($"{stage} has no result for the current pipeline.yaml; run it first (petseg run {stage}) or pull it from a remote.");
        var source = entry.OutputPath(TrainingCheckpoint.WeightsFile);
        using var scope = NewDisposeScope();
        var weights = TrainingCheckpoint.LoadWeights(source, out var info);
        if (s.Format == "pth") PyTorchCheckpointWriter.SaveZip(s.Out, weights, Path.GetFileNameWithoutExtension(s.Out));
        else PyTorchCheckpointWriter.SaveSafetensors(s.Out, weights);
        System.Console.WriteLine($"export: {s.Experiment} ({info.Model}, {info.Epoch} epoch(s), {weights.Count} tensors) → {s.Out} ({new FileInfo(s.Out).Length / 1048576.0:F1} MiB, {s.Format})");
        return Task.FromResult(0);
    }
}
