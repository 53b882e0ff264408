using System.Text.Json;

namespace PetSeg.Pipeline.Store;

/// <summary>Another process holds the store.</summary>
public sealed class StoreLockedException(string message) : PetSeg.Core.PetSegException(message);

/// <summary>
/// An exclusive lock on the artifact store: an OS file lock (released by the kernel when the process dies, so a
/// crash never leaves a stale lock) plus a note naming the holder for the error message of whoever waits.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _handle;
    private readonly string _ownerPath;

    private StoreLock(FileStream handle, string ownerPath) => (_handle, _ownerPath) = (handle, ownerPath);

    public static StoreLock Acquire(string storeRoot, string purpose, TimeSpan? wait = null)
    {
        Directory.CreateDirectory(storeRoot);
        var path = Path.Combine(storeRoot, ".lock");
        var ownerPath = Path.Combine(storeRoot, ".lock.owner");
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.Zero);
        while (true)
        {
            try
            {
                var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                File.WriteAllText(ownerPath, JsonSerializer.Serialize(new { pid = Environment.ProcessId, host = Environment.MachineName, purpose, since = DateTimeOffset.UtcNow }));
                return new StoreLock(fs, ownerPath);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
            catch (IOException)
            {
                string holder;
                try { holder = File.ReadAllText(ownerPath); } catch (IOException) { holder = "unknown"; }
                throw new StoreLockedException($"the artifact store {storeRoot} is in use by another petseg run ({holder}). " +
                    "Wait for it to finish, or stop it; the lock is released automatically when that process exits.");
            }
        }
    }

    public void Dispose()
    {
        try { File.Delete(_ownerPath); } catch (IOException) { }
        _handle.Dispose();
    }
}
