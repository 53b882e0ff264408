using PetSeg.Core;

namespace PetSeg.Training;

/// <summary>
/// A batch's loss was NaN or infinite. <see cref="TrainingStep"/> throws it before backward and the optimizer step,
/// so the weights stay those of the last finite step; the trainer adds where it happened and stops the run (what
/// Lightning's <c>detect_anomaly</c> and Keras' <c>TerminateOnNaN</c> do), nothing is checkpointed or published.
/// </summary>
public sealed class TrainingDivergedException(string message, float loss) : PetSegException(message)
{
    public float Loss => loss;
}
