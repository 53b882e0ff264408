namespace PetSeg.Models.Hooks;

/// <summary>
/// A layer that drops activations at random in training (dropout inside attention, timm's DropPath). Exposing the
/// probability lets a parity test run a deterministic train-mode step, as the PyTorch reference does; training
/// itself keeps the lab's probabilities.
/// </summary>
public interface IStochasticLayer
{
    double DropProbability { get; set; }
}
