namespace PetSeg.Workflow.Cluster;

/// <summary>A Slurm command failed or is not installed.</summary>
public sealed class ClusterException(string message) : PetSeg.Core.PetSegException(message);
