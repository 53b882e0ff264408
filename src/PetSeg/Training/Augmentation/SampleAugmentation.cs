namespace PetSeg.Training.Augmentation;

/// <summary>Per-sample parameters of one augmentation call; drawn first so tests can inspect and replay them.</summary>
public sealed record SampleAugmentation(bool Flip, (double Alpha, double Beta)? BrightnessContrast, double[,]? Affine);
