namespace PetSeg.Tests.Support;

/// <summary>Tests that touch torch's global state (seed, thread count) or measure it run in this one non-parallel collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalState
{
    public const string Name = "torch global state";
}
