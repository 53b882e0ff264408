namespace PetSeg.Training.Augmentation;

/// <summary>
/// The lab's training augmentation (albumentations 2.0): HorizontalFlip(p=0.5), RandomBrightnessContrast(p=0.1,
/// limits 0.2), ShiftScaleRotate(shift 0.05, scale 0.05, rotate 5°, p=0.5). Resize happened in preprocessing;
/// Normalize always follows.
/// </summary>
public sealed record AugmentationSettings(
    double FlipP = 0.5,
    double BrightnessContrastP = 0.1,
    double BrightnessLimit = 0.2,
    double ContrastLimit = 0.2,
    double ShiftScaleRotateP = 0.5,
    double ShiftLimit = 0.05,
    double ScaleLimit = 0.05,
    double RotateLimitDegrees = 5)
{
    public static readonly AugmentationSettings Lab = new();
}
