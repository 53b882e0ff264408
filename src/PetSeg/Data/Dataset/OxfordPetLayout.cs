namespace PetSeg.Data.Dataset;

/// <summary>Where things live in an extracted Oxford-IIIT Pet folder (torchvision's <c>oxford-iiit-pet/</c>).</summary>
public sealed record OxfordPetLayout(string Root)
{
    public string ImagesDir => Path.Combine(Root, "images");
    public string AnnotationsDir => Path.Combine(Root, "annotations");
    public string TrimapsDir => Path.Combine(AnnotationsDir, "trimaps");
    public string SplitFile(string split) => Path.Combine(AnnotationsDir, split + ".txt");
    public string ImagePath(string stem) => Path.Combine(ImagesDir, stem + ".jpg");
    public string TrimapPath(string stem) => Path.Combine(TrimapsDir, stem + ".png");

    public static readonly IReadOnlyList<string> Splits = ["trainval", "test"];

    /// <summary>torchvision's test for a present dataset: both folders exist.</summary>
    public bool Exists => Directory.Exists(ImagesDir) && Directory.Exists(AnnotationsDir);
}
