namespace PetSeg.Data.Synthetic;

/// <summary>
/// How big and how varied a synthetic Oxford-IIIT-Pet-shaped dataset is; same options + seed → same bytes. The defaults
/// (also pipeline.yaml's <c>dataset.synthetic</c> defaults) have the real dataset's size: 7,349 pairs of 300–500 × 250–375.
/// </summary>
public sealed record SyntheticPetOptions
{
    /// <summary>The fewest pairs: one for each split.</summary>
    public const int MinCount = 2;
    public const int MaxCount = 1_000_000;

    /// <summary>The sides a picture may have (a pet needs room for its border band; JPEG's own limit is 65,535).</summary>
    public const int MinSide = 16, MaxSide = 8192;

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
