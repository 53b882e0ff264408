namespace PetSeg.Workflow.Stages;

/// <summary>One output of a stage: where it is (a file, or a folder for the extracted dataset) and the digest of its content.</summary>
public sealed record StageOutput(string Path, string Digest);
