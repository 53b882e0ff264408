using PetSeg.Data.Imaging;

namespace PetSeg.Inference;

/// <summary>A predicted mask at the image's own size: 1 = pet, 0 = background.</summary>
public sealed record Prediction(int Width, int Height, byte[] Mask, RawImage Image)
{
    public double PetFraction => Mask.Count(v => v == 1) / (double)Mask.Length;
}
