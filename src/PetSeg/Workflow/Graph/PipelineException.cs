using PetSeg.Core;

namespace PetSeg.Workflow.Graph;

/// <summary>A pipeline-level problem a user can fix (unknown stage, missing upstream result).</summary>
public sealed class PipelineException(string message) : PetSegException(message);
