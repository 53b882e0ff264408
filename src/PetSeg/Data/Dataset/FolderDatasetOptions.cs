using PetSeg.Data.Imaging;

namespace PetSeg.Data.Dataset;

/// <summary>
/// A dataset of one's own: a folder of images and a folder of masks, paired by file name (<c>images/cat 1.jpg</c> with
/// <c>masks/cat 1.png</c>). A mask's pixel values are its labels: those in <see cref="Background"/> are background,
/// those in <see cref="Ignore"/> are left out of the loss and the metrics (as the trimap's border is), every other
/// value is the foreground ("pet"). Or <see cref="Classes"/> names two or more classes, each with its values.
/// </summary>
public sealed record FolderDatasetOptions
{
    /// <summary>The image files (JPEG, PNG, GIF, BMP) directly inside; hidden files are passed over.</summary>
    public required string ImagesDir { get; init; }
    /// <summary>One 8-bit single-channel PNG (or BMP, GIF) per image, of the image's size, with the image's name.</summary>
    public required string MasksDir { get; init; }
    /// <summary>What a mask's name adds to its image's: <c>_mask</c> pairs <c>images/cat.jpg</c> with <c>masks/cat_mask.png</c>.</summary>
    public string MaskSuffix { get; init; } = "";
    public IReadOnlyList<byte> Background { get; init; } = [0];
    /// <summary>What the foreground is (<c>cell</c>, <c>car</c>): the name the report's per-class table and the exported model give it.</summary>
    public string Foreground { get; init; } = Core.SegmentationLabels.Names[Core.SegmentationLabels.Pet];
    public IReadOnlyList<byte> Ignore { get; init; } = [];
    /// <summary>
    /// Classes of one's own by label, each with its mask values (<c>background: [0], road: [1], car: [2, 3]</c>), in place
    /// of <see cref="Background"/> and <see cref="Foreground"/>; a value in no class nor in <see cref="Ignore"/> is refused.
    /// </summary>
    public IReadOnlyList<MaskClass>? Classes { get; init; }

    /// <summary>
    /// Colour-coded masks (CamVid's, Cityscapes' colour images): the colours (0xRRGGBB) by code, the values that
    /// <see cref="Classes"/> and <see cref="Ignore"/> then hold; a pixel of another colour is refused. Null: masks of gray values.
    /// </summary>
    public IReadOnlyList<int>? Colours { get; init; }

    /// <summary>
    /// Pass over the images that have no mask rather than refuse the folder: where only some images are labelled, as in
    /// Pascal VOC (17,125 in <c>JPEGImages</c>, 2,913 with a mask in <c>SegmentationClass</c>).
    /// </summary>
    public bool SkipImagesWithoutMasks { get; init; }

    /// <summary>Without <see cref="TestList"/>: the share of pairs held out as the test split, chosen by a hash of each name.</summary>
    public double TestFraction { get; init; } = 0.2;
    /// <summary>
    /// With <see cref="TestFraction"/>: hold out whole groups rather than images, a group being the name before its last
    /// <c>_&lt;number&gt;</c> (<c>patient12_3</c> → <c>patient12</c>), so no patient, animal or video has images on both sides.
    /// </summary>
    public bool SplitByGroup { get; init; }
    /// <summary>A file naming the test split's images, one per line (name or file name; <c>#</c> comments); the rest is trainval.</summary>
    public string? TestList { get; init; }

    /// <summary>A test split of its own, as many datasets ship one (<c>test/images</c>, <c>test/masks</c>): both or neither.</summary>
    public string? TestImagesDir { get; init; }
    public string? TestMasksDir { get; init; }

    public const double MinTestFraction = 0.01, MaxTestFraction = 0.99;

    /// <summary>The classes' names by label: background and the foreground, or <see cref="Classes"/>'.</summary>
    public IReadOnlyList<string> ClassNames => Classes?.Select(c => c.Name).ToList() ?? Core.SegmentationLabels.NamesWith(Foreground);

    /// <summary>What each mask value means.</summary>
    public MaskValueMapping Mapping() => Classes is { } classes ? new MaskValueMapping(classes, Ignore) : new MaskValueMapping(Background, Ignore, Foreground);

    /// <summary>The files whose content decides the imported dataset (for the key: their digests, never their paths).</summary>
    public IReadOnlyDictionary<string, string> Sources()
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["images"] = ImagesDir, ["masks"] = MasksDir };
        if (TestList is not null) d["test_list"] = TestList;
        if (TestImagesDir is not null && TestMasksDir is not null) (d["test_images"], d["test_masks"]) = (TestImagesDir, TestMasksDir);
        return d;
    }
}
