using PetSeg.Workflow.Remote;

namespace PetSeg.Workflow.Runner;

/// <summary>How a command uses a remote: pull stale stages from it, and with <paramref name="Push"/> upload what it computes.</summary>
public sealed record RemoteUse(RemoteConfig Remote, bool Push);
