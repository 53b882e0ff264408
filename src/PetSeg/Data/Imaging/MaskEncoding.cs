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

    /// <summary>The trimaps with the pet's pixels labelled by its species: background 0, cat 1, dog 2 (<c>dataset.labels: species</c>).</summary>
    public static readonly IReadOnlyList<string> SpeciesNames = ["background", "cat", "dog"];

    /// <summary>What a trimap's pet pixels (1) become: the lab's 1, or the species' label.</summary>
    public byte PetLabel { get; private init; } = SegmentationLabels.Pet;

    private static readonly MaskEncoding[] BySpecies = [.. new byte[] { 1, 2 }.Select(label => new MaskEncoding(SpeciesNames, trimap: true) { PetLabel = label })];

    /// <summary>The trimaps of one pet of Oxford's <paramref name="species"/> (1 cat, 2 dog), its pixels labelled so.</summary>
    public static MaskEncoding TrimapOfSpecies(int species) => species is 1 or 2
        ? BySpecies[species - 1]
        : throw new ArgumentOutOfRangeException(nameof(species), $"species {species}: Oxford's lists say 1 (cat) or 2 (dog)");

    public static MaskEncoding Labels(IReadOnlyList<string> classNames)
    {
        if (classNames.Count is < 2 or >= SegmentationLabels.IgnoreIndex)
            throw new ArgumentOutOfRangeException(nameof(classNames), $"{classNames.Count} classes: a label map holds 2 to {SegmentationLabels.IgnoreIndex - 1}");
        return new MaskEncoding(classNames, trimap: false);
    }

    /// <summary>The mask's values turned into labels in place (0 … C−1, 255 ignored); a label map's stray value is refused with its pixel.</summary>
    public void ToLabels(Span<byte> pixels, int width, string path)
    {
        if (IsTrimap)
        {
            TrimapMapping.MapInPlace(pixels);
            if (PetLabel != SegmentationLabels.Pet) pixels.Replace(SegmentationLabels.Pet, PetLabel);
            return;
        }
        for (int i = 0; i < pixels.Length; i++)
            if (pixels[i] >= ClassNames.Count && pixels[i] != SegmentationLabels.IgnoreIndex)
                throw new ImageDecodeException(path, $"pixel {i % width},{i / width} is {pixels[i]}, which is no class of the {ClassNames.Count} " +
                    $"(0 … {ClassNames.Count - 1}) nor {SegmentationLabels.IgnoreIndex} (ignored); import the folder again (petseg run download --force)");
    }
}
