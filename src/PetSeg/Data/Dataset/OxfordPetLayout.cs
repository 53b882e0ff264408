using PetSeg.Data.Imaging;

namespace PetSeg.Data.Dataset;

/// <summary>
/// Where things live in an extracted Oxford-IIIT Pet folder (torchvision's <c>oxford-iiit-pet/</c>). A folder dataset
/// of more than two classes is imported into the same layout with label maps (<c>annotations/labels/</c>) in place of
/// the trimaps and its class names in <c>annotations/classes.txt</c>, so the data says how its masks read.
/// </summary>
public sealed record OxfordPetLayout(string Root)
{
    public string ImagesDir => Path.Combine(Root, "images");
    public string AnnotationsDir => Path.Combine(Root, "annotations");
    public string TrimapsDir => Path.Combine(AnnotationsDir, "trimaps");
    public string LabelsDir => Path.Combine(AnnotationsDir, "labels");
    /// <summary>One class name a line, by label; only in a dataset of label maps.</summary>
    public string ClassesFile => Path.Combine(AnnotationsDir, "classes.txt");
    public string SplitFile(string split) => Path.Combine(AnnotationsDir, split + ".txt");
    public string ImagePath(string stem) => Path.Combine(ImagesDir, stem + ".jpg");
    public string TrimapPath(string stem) => Path.Combine(TrimapsDir, stem + ".png");
    public string LabelPath(string stem) => Path.Combine(LabelsDir, stem + ".png");
    public string MaskPath(string stem, MaskEncoding masks) => masks.IsTrimap ? TrimapPath(stem) : LabelPath(stem);

    public static readonly IReadOnlyList<string> Splits = ["trainval", "test"];

    /// <summary>torchvision's test for a present dataset: both folders exist.</summary>
    public bool Exists => Directory.Exists(ImagesDir) && Directory.Exists(AnnotationsDir);

    /// <summary>Trimaps, or label maps when <see cref="ClassesFile"/> names the classes.</summary>
    public MaskEncoding ReadMasks()
    {
        if (!File.Exists(ClassesFile)) return MaskEncoding.Trimap;
        var names = File.ReadAllLines(ClassesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count < 2 || names.Count >= Core.SegmentationLabels.IgnoreIndex)
            throw new DatasetException($"{ClassesFile}: {names.Count} class name(s); a dataset of label maps names 2 to {Core.SegmentationLabels.IgnoreIndex - 1}, one a line");
        return MaskEncoding.Labels(names);
    }

    /// <summary>Writes <see cref="ClassesFile"/> for a dataset of label maps (nothing for trimaps).</summary>
    public void WriteMasks(MaskEncoding masks)
    {
        if (!masks.IsTrimap) File.WriteAllLines(ClassesFile, masks.ClassNames);
    }
}
