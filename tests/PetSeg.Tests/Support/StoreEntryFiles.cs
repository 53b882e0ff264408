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

    /// <summary>A stage's published file by the key a pipeline.lock records for it (<c>objects/&lt;ab&gt;/&lt;key&gt;/&lt;name&gt;</c>).</summary>
    public static string Locked(string storeObjects, string lockFile, string stage, string name)
    {
        Assert.True(PetSeg.Workflow.Store.PipelineLock.Read(lockFile).Stages.TryGetValue(stage, out var locked), $"{lockFile} records no {stage}");
        var key = locked!.Key.Split(':')[^1];
        return Path.Combine(storeObjects, key[..2], key, name);
    }
}
