namespace PetSeg.Training;

/// <summary>The phases of a <see cref="TrainingStep"/>, in order.</summary>
public enum StepPhase { CopyWeights, ForwardAndLoss, Backward, GradientsToFp32, Optimizer }
