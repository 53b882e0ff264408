using PetSeg.Workflow.Runner;

namespace PetSeg.Tests.Support;

/// <summary>Where a run's published file lies in a local store: under its stage's key, the entry's folder name.</summary>
public static class StoreEntryFiles
{
    public static string Of(string storeObjects, IReadOnlyList<StageRun> runs, string stage, string name)
    {
        var key = runs.Single(r => r.Stage == stage).Key.Split(':')[^1];
        return Path.Combine(Directory.GetDirectories(storeObjects, key, SearchOption.AllDirectories).Single(), name);
    }
}
