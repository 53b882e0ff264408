using PetSeg.Data.Dataset;
using PetSeg.Data.Download;
using PetSeg.Data.Synthetic;

namespace PetSeg.Lab.Config;

/// <param name="Source">"oxford" downloads the real archives; "synthetic" generates archives of the same layout; "folder"
/// imports one's own images and masks (<see cref="Folder"/>) into that layout.</param>
public sealed record DatasetConfig(string Source, RemoteFile Images, RemoteFile Annotations, SyntheticPetOptions Synthetic, DownloadOptions Download)
{
    /// <summary><c>dataset.folder</c>: set (and its folders found) when the source is "folder", else null.</summary>
    public FolderDatasetOptions? Folder { get; init; }

    /// <summary>
    /// <c>dataset.labels</c>: what a pet's pixels are labelled — "pet" (the lab: background and pet) or "species"
    /// (background, cat, dog, from Oxford's lists: which pet is where).
    /// </summary>
    public string Labels { get; init; } = PetLabels;

    public const string PetLabels = "pet", SpeciesLabels = "species";

    public bool BySpecies => Labels == SpeciesLabels;

    /// <summary>The classes' names by label: background and the foreground, which a folder source may name (the lab's: pet), a folder's classes, or the species.</summary>
    public IReadOnlyList<string> ClassNames => Folder?.ClassNames ?? (BySpecies ? Data.Imaging.MaskEncoding.SpeciesNames : Core.SegmentationLabels.Names);
}
