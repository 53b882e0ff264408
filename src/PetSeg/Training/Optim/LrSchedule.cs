namespace PetSeg.Training.Optim;

/// <summary>
/// How the learning rate changes over a training's epochs; null in <see cref="TrainSettings"/> keeps it constant (the
/// lab's way). <c>cosine</c> is PyTorch's <c>CosineAnnealingLR(T_max=epochs, eta_min=MinLr)</c> stepped once per epoch:
/// a function of the epoch alone, so a resumed run, mid-epoch included, sets the rate it had.
/// </summary>
/// <param name="Over">The epochs the schedule spans when not the training's own: a refit trains the first epochs of the
/// chosen run's schedule, not the whole schedule squeezed into them.</param>
public sealed record LrSchedule(string Name, double MinLr = 0, int? Over = null)
{
    public const string Cosine = "cosine";

    /// <summary>The learning rate of <paramref name="epoch"/> (0-based) of <paramref name="epochs"/>, from the configured <paramref name="lr"/>.</summary>
    public double At(int epoch, int epochs, double lr)
    {
        int span = Over ?? epochs;
        return Name switch
        {
            Cosine => span <= 0 ? lr : MinLr + (lr - MinLr) * (1 + Math.Cos(Math.PI * epoch / span)) / 2,
            _ => throw new InvalidOperationException($"unknown learning-rate schedule '{Name}'"),
        };
    }
}
