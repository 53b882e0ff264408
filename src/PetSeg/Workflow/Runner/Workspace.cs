using PetSeg.Compute;

namespace PetSeg.Workflow.Runner;

/// <summary>
/// Where the engine works and how it computes: what a pipeline definition resolves to, so the engine never reads one.
/// </summary>
/// <param name="ConfigFile">The definition the user named (only quoted in messages).</param>
/// <param name="Profile">The profile applied to it, or null; it names the lock file and this workspace's cluster jobs.</param>
/// <param name="LockFile">The lock file (like dvc.lock) every stage's record is written to.</param>
/// <param name="InPlaceDirs">Folders stages write in place; temp files dead processes left there are removed before a run.</param>
public sealed record Workspace(string ConfigFile, string? Profile, string ArtifactsDir, string LockFile, IReadOnlyList<string> InPlaceDirs, ComputeConfig Compute)
{
    public string StoreDir => Path.Combine(ArtifactsDir, "store");
}
