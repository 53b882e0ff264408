namespace PetSeg.Tests.Support;

/// <summary>
/// Tests that touch torch's global state (seed, thread count, kernel path) or measure it run in this one collection,
/// one after another. The collection itself runs beside the other classes, which never touch that state
/// (<c>TorchGlobalStateTests</c> checks): kept apart, after them, it left 29 % of the two cores idle (6 m 46 s for the suite;
/// beside them 5 m 40 s). It starts first (<see cref="LongestCollectionFirst"/>): it is the longest, about 3½ minutes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TorchGlobalState
{
    public const string Name = "torch global state";
}
