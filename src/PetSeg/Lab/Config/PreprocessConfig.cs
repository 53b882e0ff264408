using PetSeg.Data.Download;
using PetSeg.Data.Synthetic;
using PetSeg.Reporting;
using PetSeg.Core;
using PetSeg.Compute;
using PetSeg.Workflow.Cluster;
using PetSeg.Workflow.Remote;

namespace PetSeg.Lab.Config;

public sealed record PreprocessConfig(int ImageSize, bool SkipBadSamples, int Threads);
