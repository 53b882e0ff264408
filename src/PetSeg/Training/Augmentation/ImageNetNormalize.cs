using static TorchSharp.torch;

namespace PetSeg.Training.Augmentation;

/// <summary>
/// albumentations Normalize with ImageNet mean/std and max_pixel_value 255, constants in float32 as albucore computes
/// them: <c>(x − mean·255) · (1 / (std·255))</c>. uint8 [B,3,H,W] → float32 [B,3,H,W].
/// </summary>
public static class ImageNetNormalize
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    public static Tensor Apply(Tensor imagesUint8)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(Mean.Select(m => m * 255f).ToArray()).view(1, 3, 1, 1);
        var inv = tensor(Std.Select(s => 1f / (s * 255f)).ToArray()).view(1, 3, 1, 1);
        return imagesUint8.to_type(ScalarType.Float32).sub_(mean).mul_(inv).MoveToOuterDisposeScope();
    }
}
