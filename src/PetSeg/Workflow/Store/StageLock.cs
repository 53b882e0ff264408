using PetSeg.IO;

namespace PetSeg.Workflow.Store;

/// <summary>
/// One stage's lock (<c>store/locks/&lt;name&gt;.lock</c>), held while the stage computes: a second process that
/// wants the same result waits, then finds it published, so it is computed once.
/// </summary>
public static class StageLock
{
    public static FileLock Acquire(string storeRoot, string name, string purpose, Action<string> waiting) =>
        FileLock.Acquire(PathOf(storeRoot, name), purpose, shared: false, wait: null, waiting, holders => new StoreLockedException(holders));

    /// <summary>The process computing the stage now, or null: read from the lock's notes, without taking it.</summary>
    public static LockOwner? Computing(string storeRoot, string name) => FileLock.LiveHolders(PathOf(storeRoot, name)).FirstOrDefault();

    private static string PathOf(string storeRoot, string name) => Path.Combine(storeRoot, "locks", name + ".lock");
}
