using PetSeg.Core;

namespace PetSeg.Data.Imaging;

/// <summary>
/// How a dataset's mask files hold the labels: Oxford-IIIT Pet's trimaps (1 pet, 2 background, 3 border), or label
/// maps whose values are the class indices themselves (0 … C−1, 255 ignored), as a folder dataset of more than two
/// classes is imported.
/// </summary>
public sealed record MaskEncoding
{
    /// <summary>The classes' names by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    public bool IsTrimap { get; }

    private MaskEncoding(IReadOnlyList<string> classNames, bool trimap) => (ClassNames, IsTrimap) = (classNames, trimap);

    public static readonly MaskEncoding Trimap = new(SegmentationLabels.Names, trimap: true);

    public static MaskEncoding Labels(IReadOnlyList<string> classNames)
    {
        if (classNames.Count is < 2 or >= SegmentationLabels.IgnoreIndex)
            throw new ArgumentOutOfRangeException(nameof(classNames), $"{classNames.Count} classes: a label map holds 2 to {SegmentationLabels.IgnoreIndex - 1}");
        return new MaskEncoding(classNames, trimap: false);
    }

    /// <summary>The mask's values turned into labels in place (0 … C−1, 255 ignored); a label map's stray value is refused with its pixel.</summary>
    public void ToLabels(Span<byte> pixels, int width, string path)
    {
        if (IsTrimap) { TrimapMapping.MapInPlace(pixels); return; }
        for (int i = 0; i < pixels.Length; i++)
            if (pixels[i] >= ClassNames.Count && pixels[i] != SegmentationLabels.IgnoreIndex)
                throw new ImageDecodeException(path, $"pixel {i % width},{i / width} is {pixels[i]}, which is no class of the {ClassNames.Count} " +
                    $"(0 … {ClassNames.Count - 1}) nor {SegmentationLabels.IgnoreIndex} (ignored); import the folder again (petseg run download --force)");
    }

    public override string ToString() => IsTrimap ? "trimaps" : $"label maps of {ClassNames.Count} classes";
}
