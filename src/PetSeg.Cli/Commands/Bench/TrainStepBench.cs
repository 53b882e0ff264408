using System.ComponentModel;
using PetSeg.Core;
using PetSeg.Models;
using PetSeg.Models.Input;
using PetSeg.Training;
using PetSeg.Training.Memory;
using PetSeg.Training.Optim;
using TorchSharp;

namespace PetSeg.Cli.Commands.Bench;

[Description("Training and eval steps of each model at batch 16, images/s (median step) and RSS.")]
public sealed class TrainStepBench : BenchCommand<BenchSettings.TrainStep>
{
    /// <summary>
    /// The trainer's own <see cref="TrainingStep"/> (input through <see cref="ImageNetNormalize"/>, channels-last as
    /// in training) at batch 16, 3×size², then eval forwards; median step, optional per-phase medians, RSS.
    /// </summary>
    protected override int Measure(BenchSettings.TrainStep s, CancellationToken ct)
    {
        var models = s.Model == "all" ? ModelZoo.LabArchitectures : [s.Model];
        var device = PetSeg.Compute.DeviceChoice.Resolve(s.Device, System.Console.WriteLine);
        PetSeg.Compute.DeviceChoice.Prepare(device, tf32: true, deterministic: true, System.Console.WriteLine);
        if (PetSeg.Compute.KernelPaths.TryParse(s.Kernels, out var forced))
        {
            // A path forced for measuring: unchecked, so a faulty one is measured too (its results are not kept).
            PetSeg.Compute.ComputeBackend.Configure(PetSeg.Compute.NumericsMode.Off);
            PetSeg.Compute.ComputeBackend.Switch(forced);
        }
        if (device.type == TorchSharp.DeviceType.CPU && PetSeg.Compute.SideBySideProcesses.Warning() is { } sideBySide) System.Console.Error.WriteLine(sideBySide); // the figures are then not this machine's alone
        foreach (var name in models)
        {
            int batch = Math.Max(1, s.Batch);
            // What the trainer's memory check would predict for this step, to compare with the peak the steps reach.
            var predicted = device.type == TorchSharp.DeviceType.CPU
                ? MemoryProbe.Measure(new TrainSettings(new ModelSpec(name, ImageSize: s.Size), new AdamSettings(1e-4), 0, batch, Precision: s.Bf16 ? Precision.Bf16 : Precision.Fp32), s.Size, s.Size, batch, ceiling: null)
                : null;
            using var rig = new StepRig(new ModelSpec(name, ImageSize: s.Size), new AdamSettings(1e-4), s.Bf16, batch, device);
            var (model, shadow, step, images, x, y) = (rig.Model, rig.Shadow, rig.Step, rig.Images, rig.X, rig.Y);
            var timings = new StepTimings();
            double rssBefore = 0, rssPeak = 0;
            var rssTrace = new List<double>();
            var stepTimes = StepTimer.TimeTrainSteps(step, x, y, s.Steps, ct, timings,
                afterWarmUp: () => { GC.Collect(); rssBefore = rssPeak = BenchMemory.RssMiB(); },
                afterStep: i =>
                {
                    double rss = BenchMemory.RssMiB();
                    rssPeak = Math.Max(rssPeak, rss);
                    if (i % Math.Max(1, s.Steps / 10) == 0 || i == s.Steps - 1) rssTrace.Add(rss);
                });
            double rssAfter = BenchMemory.RssMiB();
            double trainRate = batch / stepTimes[stepTimes.Count / 2]; // median step: robust to a noisy shared VM
            double evalRate = batch / StepTimer.MedianEvalSeconds(shadow?.Prepare(training: false) ?? model, images, Math.Max(3, s.Steps / 2));
            System.Console.WriteLine($"train-step {name}: {trainRate:F2} images/s train (median step {stepTimes[stepTimes.Count / 2]:F3} s, min {stepTimes[0]:F3}, max {stepTimes[^1]:F3}), {evalRate:F2} images/s eval forward " +
                                     $"(batch {batch}, {s.Size}², {s.Steps} steps, {torch.get_num_threads()} threads{(s.Bf16 ? ", bf16" : "")}{(NativeMemory.Enabled ? "" : ", no GC per batch")}{(NativeHeap.Mode == "kept" ? "" : ", system heap")}, {device}, kernels: {PetSeg.Compute.KernelPaths.Name(PetSeg.Compute.ComputeBackend.Path)}); " +
                                     $"RSS {rssBefore:F0} → {rssAfter:F0} MiB (peak {rssPeak:F0}; {string.Join(" ", rssTrace.Select(r => r.ToString("F0")))})");
            if (s.Phases)
                System.Console.WriteLine("  phases (median s): " + string.Join(", ", timings.Medians().Where(p => p.Median > 0).Select(p => $"{p.Phase} {p.Median:F3}")));
            if (predicted is not null && SystemMemory.This.PeakResidentBytes() is { } peak)
                System.Console.WriteLine($"  memory check: a step measured alone (heap trimmed) peaks at {MemoryRoom.Size(predicted.PeakBytes)}, {MemoryRoom.Size(predicted.PerImageBytes)} more per image at its last step up (batch {predicted.MeasuredBatch}); " +
                                         $"the process peaked at {MemoryRoom.Size(peak)} since the prediction (VmHWM)");
            System.Console.WriteLine($"  memory after the steps: {BenchMemory.MemoryBreakdown()}");
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            System.Console.WriteLine($"  after a full GC and the finalizers: {BenchMemory.MemoryBreakdown()} (what only finalizers held)");
        }
        return 0;
    }
}
