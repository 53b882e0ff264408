using PetSeg.Data.Imaging;

namespace PetSeg.Inference;

/// <summary>A predicted mask at the image's own size: a label per pixel (1 = pet, 0 = background; a dataset's own classes 0 … C−1).</summary>
public sealed record Prediction(int Width, int Height, byte[] Mask, RawImage Image)
{
    /// <summary>The share of the pixels predicted as <paramref name="label"/>.</summary>
    public double Fraction(int label) => Mask.Count(v => v == label) / (double)Mask.Length;
}
