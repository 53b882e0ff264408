using System.ComponentModel;

namespace PetSeg.Cli.Commands.Bench;

[Description("Each configured model's train and eval rate at its precision, and the projected wall time of the configured experiments.")]
public sealed class LabBench : BenchCommand<BenchSettings.Lab>
{
    protected override int Measure(BenchSettings.Lab s, CancellationToken ct) =>
        LabProjection.Run(PetSeg.Lab.PipelineConfigLoader.Load(s.Config, s.Profile ?? Environment.GetEnvironmentVariable("PETSEG_PROFILE")), Math.Max(1, s.Steps), ct, s.Device);
}
