using TorchSharp;

namespace PetSeg.Cli.Commands.Bench;

/// <summary>A benchmark command: applies the common options, then measures.</summary>
public abstract class BenchCommand<TSettings> : GuardedCommand<TSettings> where TSettings : BenchSettings
{
    protected abstract int Measure(TSettings s, CancellationToken ct);

    protected sealed override Task<int> RunAsync(TSettings s, CancellationToken ct)
    {
        if (s.Threads is { } t) torch.set_num_threads(t);
        PetSeg.Compute.NumericsModes.TryParse(s.Numerics, out var mode);
        PetSeg.Compute.ComputeBackend.Configure(mode, System.Console.WriteLine);
        Directory.CreateDirectory(s.WorkDir);
        return Task.FromResult(Measure(s, ct));
    }
}
