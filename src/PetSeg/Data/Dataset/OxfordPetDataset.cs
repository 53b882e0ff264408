using PetSeg.Data.Imaging;

namespace PetSeg.Data.Dataset;

/// <summary>
/// The official splits of an extracted Oxford-IIIT Pet folder, pairing <c>images/&lt;stem&gt;.jpg</c> with
/// <c>annotations/trimaps/&lt;stem&gt;.png</c> (or an imported dataset's label maps, <see cref="OxfordPetLayout.ReadMasks"/>).
/// Missing files are collected and reported together.
/// </summary>
public sealed class OxfordPetDataset
{
    public OxfordPetLayout Layout { get; }
    public string Split { get; }
    public IReadOnlyList<PetSample> Samples { get; }
    /// <summary>Samples dropped because a file was missing (only when <c>skipBad</c> was set).</summary>
    public IReadOnlyList<string> Skipped { get; }

    private OxfordPetDataset(OxfordPetLayout layout, string split, IReadOnlyList<PetSample> samples, IReadOnlyList<string> skipped)
        => (Layout, Split, Samples, Skipped) = (layout, split, samples, skipped);

    /// <param name="bySpecies">Label each pet's pixels by its species (1 cat, 2 dog: <c>dataset.labels: species</c>) rather than 1.</param>
    public static OxfordPetDataset Open(string root, string split, bool skipBad = false, bool bySpecies = false)
    {
        var layout = new OxfordPetLayout(root);
        var listed = SplitListReader.Read(layout, split);
        if (bySpecies)
        {
            if (!layout.ReadMasks().IsTrimap) throw new DatasetException($"{layout.ClassesFile}: a dataset of its own classes has no species to label by; leave dataset.labels out");
            if (listed.FirstOrDefault(s => s.Species is not (1 or 2)) is { } odd)
                throw new DatasetException($"{layout.SplitFile(split)}:{odd.Line}: '{odd.Stem}' has species {odd.Species}; Oxford's lists say 1 (cat) or 2 (dog)");
            listed = [.. listed.Select(s => s with { Masks = MaskEncoding.TrimapOfSpecies(s.Species) })];
        }
        var problems = new List<string>();
        var kept = new List<PetSample>(listed.Count);
        foreach (var s in listed)
        {
            var missing = new List<string>();
            if (!File.Exists(s.ImagePath)) missing.Add(s.ImagePath);
            if (!File.Exists(s.MaskPath)) missing.Add(s.MaskPath);
            if (missing.Count == 0) kept.Add(s);
            else problems.Add($"{s.Stem} ({layout.SplitFile(split)}:{s.Line}): missing {string.Join(" and ", missing)}");
        }
        if (problems.Count > 0 && !skipBad)
            throw new DatasetException($"{problems.Count} sample(s) of split '{split}' have missing files:\n  " + string.Join("\n  ", problems) +
                                       "\nRe-run the Download stage, or set preprocess.skip_bad_samples: true in pipeline.yaml to leave them out.");
        return new OxfordPetDataset(layout, split, kept, problems);
    }

    /// <summary>A pair's mask alone, as labels at its own size (what <see cref="LoadPair"/> gives, without decoding the image).</summary>
    public static RawImage LoadMask(PetSample sample)
    {
        var mask = ImageLoader.LoadGray(sample.MaskPath);
        sample.Masks.ToLabels(mask.Pixels, mask.Width, sample.MaskPath);
        return mask;
    }

    /// <summary>Decodes one pair: RGB image (HWC) and the mask as labels (0 background, 1 pet, 255 ignore; a label map's own classes).</summary>
    public static (RawImage Image, RawImage Mask) LoadPair(PetSample sample)
    {
        var image = ImageLoader.LoadRgb(sample.ImagePath);
        // Sizes are not cross-checked: like the lab, image and trimap are each resized to the target size.
        return (image, LoadMask(sample));
    }
}
