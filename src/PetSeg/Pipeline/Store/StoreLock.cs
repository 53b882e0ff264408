using System.Text.Json;
using PetSeg.IO;

namespace PetSeg.Pipeline.Store;

/// <summary>Another process holds the store.</summary>
public sealed class StoreLockedException(string message) : PetSeg.Core.PetSegException(message);

/// <summary>
/// An exclusive lock on the artifact store: an OS file lock (released by the kernel when the process dies, so a
/// crash never leaves a stale lock) plus a note naming the holder for the error message of whoever waits.
/// The note is written atomically, and only after the lock is held; a waiter trusts a note only when its process is
/// alive, so a note left by a killed run never names the holder.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _handle;
    private readonly string _ownerPath;

    private StoreLock(FileStream handle, string ownerPath) => (_handle, _ownerPath) = (handle, ownerPath);

    /// <summary>How long a refused caller waits for the holder's note: the holder writes it right after locking.</summary>
    internal static readonly TimeSpan NoteGrace = TimeSpan.FromSeconds(2);

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
                var note = new LockOwner(Environment.ProcessId, Environment.MachineName, purpose, DateTimeOffset.UtcNow);
                AtomicFile.WriteAllText(ownerPath, JsonSerializer.Serialize(note, JsonSerializerOptions.Web));
                return new StoreLock(fs, ownerPath);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
            catch (IOException)
            {
                throw new StoreLockedException($"the artifact store {storeRoot} is in use by {DescribeHolder(ownerPath)}. " +
                    "Wait for it to finish, or stop it; the lock is released automatically when that process exits.");
            }
        }
    }

    /// <summary>The live holder named by the note, waiting briefly for a holder that has just locked to write it.</summary>
    internal static string DescribeHolder(string ownerPath)
    {
        var until = DateTime.UtcNow + NoteGrace;
        while (true)
        {
            if (ReadNote(ownerPath) is { } o && (o.Host != Environment.MachineName || AtomicFile.ProcessIsAlive(o.Pid)))
                return $"another petseg process: '{o.Purpose}', pid {o.Pid} on {o.Host}, since {o.Since.ToLocalTime():yyyy-MM-dd HH:mm:ss}";
            if (DateTime.UtcNow >= until) return "another petseg process (it has not named itself)";
            Thread.Sleep(50);
        }
    }

    private static LockOwner? ReadNote(string ownerPath)
    {
        try { return JsonSerializer.Deserialize<LockOwner>(File.ReadAllText(ownerPath), JsonSerializerOptions.Web); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    public void Dispose()
    {
        AtomicFile.TryDelete(_ownerPath);
        _handle.Dispose();
    }
}

/// <summary>Who holds the store lock: written next to it so a refused command can say whom it waits for.</summary>
internal sealed record LockOwner(int Pid, string Host, string Purpose, DateTimeOffset Since);
