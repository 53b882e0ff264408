using PetSeg.IO;

namespace PetSeg.Workflow.Store;

/// <summary>
/// The store-wide lock (<c>store/.lock</c>): runs hold it shared, so any number of them work on one store at once
/// (each stage under its own <see cref="StageLock"/>); gc and verify hold it exclusive, so they never delete or
/// re-hash under a run's feet.
/// </summary>
public static class StoreLock
{
    public static string PathIn(string storeRoot) => Path.Combine(storeRoot, ".lock");

    /// <summary>Exclusive: refused (after <paramref name="wait"/>) while any run or other maintenance holds the store.</summary>
    public static FileLock Acquire(string storeRoot, string purpose, TimeSpan? wait = null) =>
        FileLock.Acquire(PathIn(storeRoot), purpose, shared: false, wait ?? TimeSpan.Zero, null, holders => new StoreLockedException(InUse(storeRoot, holders)));

    /// <summary>Shared: refused only while gc or verify holds the store.</summary>
    public static FileLock AcquireShared(string storeRoot, string purpose) =>
        FileLock.Acquire(PathIn(storeRoot), purpose, shared: true, TimeSpan.Zero, null, holders => new StoreLockedException(InUse(storeRoot, holders)));

    private static string InUse(string storeRoot, string holders) =>
        $"the artifact store {storeRoot} is in use by {holders}. " +
        "Wait for it to finish, or stop it; the lock is released automatically when that process exits.";
}
