namespace PetSeg.Training.Optim;

/// <summary>
/// How the learning rate changes over a training's epochs; null in <see cref="TrainSettings"/> keeps it constant (the
/// lab's way). <c>cosine</c> is PyTorch's <c>CosineAnnealingLR(T_max=epochs, eta_min=MinLr)</c> stepped once per epoch:
/// a function of the epoch alone, so a resumed run, mid-epoch included, sets the rate it had.
/// </summary>
/// <param name="Warmup">Epochs of linear warm-up before the cosine: epoch e &lt; W trains at lr·(e+1)/(W+1), as PyTorch's
/// <c>SequentialLR([LinearLR(start_factor=1/(W+1), total_iters=W), CosineAnnealingLR(T_max=epochs−W)], milestones=[W])</c>.</param>
/// <param name="Over">The epochs the schedule spans when not the training's own: a refit trains the first epochs of the
/// chosen run's schedule, not the whole schedule squeezed into them.</param>
public sealed record LrSchedule(string Name, double MinLr = 0, int Warmup = 0, int? Over = null)
{
    public const string Cosine = "cosine";

    /// <summary>For the training log: "1 warm-up epoch(s), then cosine to 0 over 6 epochs".</summary>
    public string Describe() =>
        $"{(Warmup > 0 ? $"{Warmup} warm-up epoch(s), then " : "")}{Name} to {MinLr}{(Over is { } over ? $" over {over} epochs" : "")}";

    /// <summary>The learning rate of <paramref name="epoch"/> (0-based) of <paramref name="epochs"/>, from the configured <paramref name="lr"/>.</summary>
    public double At(int epoch, int epochs, double lr)
    {
        if (epoch < Warmup) return lr * (epoch + 1) / (Warmup + 1);
        int span = (Over ?? epochs) - Warmup;
        return Name switch
        {
            Cosine => span <= 0 ? lr : MinLr + (lr - MinLr) * (1 + Math.Cos(Math.PI * (epoch - Warmup) / span)) / 2,
            _ => throw new InvalidOperationException($"unknown learning-rate schedule '{Name}'"),
        };
    }
}
