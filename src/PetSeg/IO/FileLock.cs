using System.Text.Json;

namespace PetSeg.IO;

/// <summary>
/// An OS file lock (flock: released by the kernel when its process dies, so a crash never leaves a stale lock),
/// shared or exclusive, plus a note per holder (<c>&lt;lock&gt;.owner.&lt;pid&gt;</c>) naming it for whoever waits.
/// A note is written atomically and only after the lock is held, and is trusted only while its process is alive, so
/// a note left by a killed process never names a holder.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _handle;
    private readonly string _notePath;

    private FileLock(FileStream handle, string notePath) => (_handle, _notePath) = (handle, notePath);

    /// <summary>How long a refused caller waits for a holder's note: a holder writes it right after locking.</summary>
    internal static readonly TimeSpan NoteGrace = TimeSpan.FromSeconds(2);

    /// <summary>The lock, or null at once when another process holds it in a conflicting mode.</summary>
    public static FileLock? TryAcquire(string path, string purpose, bool shared = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        FileStream fs;
        try
        {
            // .NET takes flock(LOCK_EX) for FileShare.None and flock(LOCK_SH) for a read-only handle that shares.
            fs = shared
                ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (HeldByAnother(e)) { return null; }
        catch (IOException e) { throw Refused(path, e); } // a read-only or full file system, not another process: waiting would never end
        var note = NotePath(path, Environment.ProcessId);
        try
        {
            RemoveDeadNotes(path);
            // Not fsynced: a note is worthless after a crash (its pid is dead), and an fsync behind other processes' writes
            // could outlast the grace a refused caller gives it (CI: "the loser names the winner" failed at the suite's start).
            AtomicFile.WriteAllText(note, JsonSerializer.Serialize(new LockOwner(Environment.ProcessId, Environment.MachineName, purpose, DateTimeOffset.UtcNow), JsonFiles.Web()), durable: false);
        }
        catch (IOException e)
        {
            fs.Dispose();
            throw Refused(path, e);
        }
        return new FileLock(fs, note);
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> (null: as long as the holder lives), telling <paramref name="waiting"/> once whom it waits for
    /// once the wait has lasted <paramref name="quiet"/> (none by default: at the first refusal); then throws what
    /// <paramref name="refusal"/> makes of the holders' names.
    /// </summary>
    public static FileLock Acquire(string path, string purpose, bool shared, TimeSpan? wait, Action<string>? waiting, Func<string, Exception> refusal,
        TimeSpan quiet = default)
    {
        var started = DateTime.UtcNow;
        var deadline = wait is { } w ? started + w : DateTime.MaxValue;
        var told = false;
        while (true)
        {
            if (TryAcquire(path, purpose, shared) is { } acquired) return acquired;
            if (DateTime.UtcNow >= deadline) throw refusal(DescribeHolders(path));
            if (!told && waiting is not null && DateTime.UtcNow - started >= quiet) { waiting(DescribeHolders(path)); told = true; }
            Thread.Sleep(DateTime.UtcNow - started < quiet ? 50 : 200); // a quiet wait is expected to be short: look often
        }
    }

    /// <summary>
    /// Who holds the lock now, by the notes of live processes (another host's cannot be checked and count): what a
    /// reading command (status) can tell without touching the lock itself, which a run might be taking that instant.
    /// </summary>
    public static IReadOnlyList<LockOwner> LiveHolders(string path) =>
        Notes(path).Where(o => o.Host != Environment.MachineName || AtomicFile.ProcessIsAlive(o.Pid)).ToList();

    /// <summary>The live holders named by their notes, waiting briefly for a holder that has just locked to write its own.</summary>
    public static string DescribeHolders(string path)
    {
        var until = DateTime.UtcNow + NoteGrace;
        while (true)
        {
            var live = LiveHolders(path);
            if (live.Count > 0)
                return string.Join("; ", live.Select(o => $"another petseg process: '{o.Purpose}', pid {o.Pid} on {o.Host}, since {o.Since.ToLocalTime():yyyy-MM-dd HH:mm:ss}"));
            if (DateTime.UtcNow >= until) return "another petseg process (it has not named itself)";
            Thread.Sleep(50);
        }
    }

    private const int ReadOnlyFileSystem = 30; // EROFS

    /// <summary>A lock the file system would not give (not another process's): what it said, and what still works on a read-only store.</summary>
    private static IOException Refused(string path, IOException e) =>
        (e.InnerException as IOException ?? e).HResult == ReadOnlyFileSystem
            ? new IOException($"cannot take the lock {path}: the file system is read-only. Commands that write to the store (run, pull, gc, verify) need it " +
                              "writable; on a read-only store status, exp show, export and predict --experiment still work.", e)
            : new IOException($"cannot take the lock {path}: {e.Message}", e);

    /// <summary>
    /// Whether opening the lock failed because another process holds it (flock's EWOULDBLOCK: 11 on Linux, 35 on macOS;
    /// Windows' sharing and lock violations), rather than because the file system refused (read-only, full).
    /// </summary>
    private static bool HeldByAnother(IOException e) => e.HResult switch
    {
        11 => OperatingSystem.IsLinux(),
        35 => OperatingSystem.IsMacOS(),
        unchecked((int)0x80070020) or unchecked((int)0x80070021) => OperatingSystem.IsWindows(),
        _ => false,
    };

    private static string NotePath(string path, int pid) => $"{path}.owner.{pid}";

    private static IEnumerable<LockOwner> Notes(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) yield break;
        foreach (var file in Directory.EnumerateFiles(dir, Path.GetFileName(path) + ".owner.*"))
        {
            LockOwner? o = null;
            try { o = JsonSerializer.Deserialize<LockOwner>(File.ReadAllText(file), JsonFiles.Web()); }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { }
            if (o is not null) yield return o;
        }
    }

    private static void RemoveDeadNotes(string path)
    {
        foreach (var o in Notes(path).Where(o => o.Host == Environment.MachineName && !AtomicFile.ProcessIsAlive(o.Pid)).ToList())
            AtomicFile.TryDelete(NotePath(path, o.Pid));
    }

    public void Dispose()
    {
        AtomicFile.TryDelete(_notePath);
        _handle.Dispose();
    }
}

/// <summary>Who holds a lock: written next to it so a refused or waiting command can say whom it waits for.</summary>
public sealed record LockOwner(int Pid, string Host, string Purpose, DateTimeOffset Since)
{
    /// <summary>"pid 4242 (petseg run report: train-unet-base), since 07:40:12, 12 min": the host too where it is another.</summary>
    public string Describe(DateTimeOffset now)
    {
        var took = now - Since;
        var elapsed = took.TotalMinutes >= 90 ? $"{took.TotalHours:F1} h" : took.TotalSeconds >= 90 ? $"{took.TotalMinutes:F0} min" : $"{Math.Max(0, took.TotalSeconds):F0} s";
        return $"pid {Pid}{(Host == Environment.MachineName ? "" : $" on {Host}")} ({Purpose}), since {Since.ToLocalTime():HH:mm:ss}, {elapsed}";
    }
}
