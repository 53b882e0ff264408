using System.Diagnostics;

namespace PetSeg.Training;

/// <summary>
/// Where a <see cref="TrainingStep"/> spends its time, phase by phase (CPU tensors are synchronous, so wall time per
/// phase is exact): the bf16 weight copy, forward with the loss, backward, gradients back to fp32, the optimizer.
/// <c>petseg bench train-step --phases</c> prints their medians.
/// </summary>
public sealed class StepTimings
{
    private static readonly string[] Names = ["copy weights", "forward + loss", "backward", "grads to fp32", "optimizer"];

    private readonly List<double>[] _seconds = Names.Select(_ => new List<double>()).ToArray();
    private readonly Stopwatch _clock = new();

    internal void Start() => _clock.Restart();

    /// <summary>Ends <paramref name="phase"/> (the bf16-only phases record nothing in fp32).</summary>
    internal void End(StepPhase phase)
    {
        _seconds[(int)phase].Add(_clock.Elapsed.TotalSeconds);
        _clock.Restart();
    }

    /// <summary>Median seconds per phase over the recorded steps (0 for a phase that never ran).</summary>
    public IReadOnlyList<(string Phase, double Median)> Medians() =>
        Names.Select((name, i) =>
        {
            var s = _seconds[i].Order().ToList();
            return (name, s.Count == 0 ? 0 : s[s.Count / 2]);
        }).ToList();

    public void Clear() { foreach (var s in _seconds) s.Clear(); }
}
