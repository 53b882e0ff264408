using PetSeg.Data.Download;
using PetSeg.Data.Synthetic;
using PetSeg.Reporting;
using PetSeg.Core;
using PetSeg.Compute;
using PetSeg.Workflow.Cluster;
using PetSeg.Workflow.Remote;

namespace PetSeg.Lab.Config;

/// <param name="Source">"oxford" downloads the real archives; "synthetic" generates archives of the same layout.</param>
public sealed record DatasetConfig(string Source, RemoteFile Images, RemoteFile Annotations, SyntheticPetOptions Synthetic, DownloadOptions Download);
