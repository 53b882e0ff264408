namespace PetSeg.Training.Optim;

/// <summary>Adam or AdamW hyper-parameters, PyTorch's defaults except where the lab sets them.</summary>
/// <param name="Decoupled">true = AdamW (weight decay applied to the weights); false = Adam (L2 added to the gradient).</param>
public sealed record AdamSettings(double LearningRate, double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0, bool Decoupled = false)
{
    public string Name => Decoupled ? "AdamW" : "Adam";
}
