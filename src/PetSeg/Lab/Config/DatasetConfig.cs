using PetSeg.Data.Download;
using PetSeg.Data.Synthetic;

namespace PetSeg.Lab.Config;

/// <param name="Source">"oxford" downloads the real archives; "synthetic" generates archives of the same layout.</param>
public sealed record DatasetConfig(string Source, RemoteFile Images, RemoteFile Annotations, SyntheticPetOptions Synthetic, DownloadOptions Download);
