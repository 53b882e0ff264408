namespace PetSeg.Data.Synthetic;

/// <summary>
/// How big and how varied a synthetic Oxford-IIIT-Pet-shaped dataset is; same options + seed → same bytes. The defaults
/// (also pipeline.yaml's <c>dataset.synthetic</c> defaults) have the real dataset's size: 7,349 pairs of 300–500 × 250–375.
/// </summary>
public sealed record SyntheticPetOptions
{
    public int Count { get; init; } = 7349;
    public int Seed { get; init; } = 1234;
    public int MinWidth { get; init; } = 300;
    public int MaxWidth { get; init; } = 500;
    public int MinHeight { get; init; } = 250;
    public int MaxHeight { get; init; } = 375;
    /// <summary>Width of the trimap's "not classified" band around each pet, in pixels.</summary>
    public double BorderBand { get; init; } = 2.5;
    public int JpegQuality { get; init; } = 90;
    /// <summary>Add the real dataset's quirks: an RGBA PNG named .jpg, a grayscale JPEG, AppleDouble junk, a stray .mat, an unlisted image.</summary>
    public bool Quirks { get; init; } = true;
}
