using PetSeg.IO;

namespace PetSeg.Workflow.Store;

/// <summary>
/// One stage's lock (<c>store/locks/&lt;name&gt;.lock</c>), held while the stage computes: a second process that
/// wants the same result waits, then finds it published, so it is computed once.
/// </summary>
public static class StageLock
{
    public static FileLock Acquire(string storeRoot, string name, string purpose, Action<string> waiting) =>
        FileLock.Acquire(Path.Combine(storeRoot, "locks", name + ".lock"), purpose, shared: false, wait: null, waiting, holders => new StoreLockedException(holders));
}
