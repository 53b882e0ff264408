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

    /// <summary>The classes' names by label: background and the foreground, which a folder source may name (the lab's: pet), or a folder's classes.</summary>
    public IReadOnlyList<string> ClassNames => Folder?.ClassNames ?? Core.SegmentationLabels.Names;
}
