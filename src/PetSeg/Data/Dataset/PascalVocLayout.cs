using PetSeg.Data.Imaging;

namespace PetSeg.Data.Dataset;

/// <summary>
/// Pascal VOC 2012's segmentation data as it ships (<c>VOCdevkit/VOC2012</c>): every photo in <c>JPEGImages</c>, the
/// 2,913 labelled ones with a palette PNG in <c>SegmentationClass</c> (the index the class, 255 the object borders),
/// the official split in <c>ImageSets/Segmentation/{train,val}.txt</c>. Read as a folder dataset of 21 classes.
/// </summary>
public static class PascalVocLayout
{
    public static readonly IReadOnlyList<string> ClassNames =
    [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
        "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    public const string Images = "JPEGImages", Masks = "SegmentationClass", TestList = "ImageSets/Segmentation/val.txt";

    /// <summary>Whether <paramref name="root"/> is laid out so (its images and masks folders there).</summary>
    public static bool IsAt(string root) => Directory.Exists(Path.Combine(root, Images)) && Directory.Exists(Path.Combine(root, Masks));

    /// <summary>The folder dataset it makes: the labelled photos, VOC's val split as the test split where it ships one, the borders ignored.</summary>
    public static FolderDatasetOptions Options(string root)
    {
        var testList = Path.Combine(root, TestList);
        return new FolderDatasetOptions
        {
            ImagesDir = Path.Combine(root, Images), MasksDir = Path.Combine(root, Masks), SkipImagesWithoutMasks = true,
            TestList = File.Exists(testList) ? testList : null,
            Classes = [.. ClassNames.Select((name, label) => new MaskClass(name, [(byte)label]))], Ignore = [Core.SegmentationLabels.IgnoreIndex],
        };
    }

    /// <summary>The <c>folder:</c> mapping pipeline.yaml gives it, on one line (<paramref name="quotedPath"/> as YAML quotes it).</summary>
    public static string FolderLine(string quotedPath, bool withTestList) =>
        $"{{ path: {quotedPath}, images: {Images}, masks: {Masks}, images_without_masks: skip{(withTestList ? $", test_list: {TestList}" : "")}, " +
        $"classes: {{ {string.Join(", ", ClassNames.Select((n, i) => $"{n}: [{i}]"))} }}, ignore: [255] }}";
}
