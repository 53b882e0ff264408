namespace PetSeg.IO;

/// <summary>Writes files so that readers see either the old content or the complete new one, never a torn file.</summary>
public static class AtomicFile
{
    /// <summary>A temp path next to <paramref name="path"/> (same filesystem, so the final rename is atomic).</summary>
    public static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Runs <paramref name="write"/> against a temp file, flushes it to disk (unless <paramref name="durable"/> is false:
    /// a file worthless after a crash, where an fsync only waits behind other writes), then renames it over <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, Action<FileStream> write, bool durable = true)
    {
        var tmp = TempPathFor(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: durable);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new IOException($"cannot write {path}: {Reason(e, tmp)}", e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Why a write failed, in terms of the file the caller named: .NET's messages name the temp file.</summary>
    private static string Reason(Exception e, string tmp) => e switch
    {
        _ when FileInTheWay(tmp) is { } file => $"{file} is a file, not a folder",
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException or FileNotFoundException => "this file system does not let a file be created there",
        _ when DiskSpace.IsFull(e) => $"{OwnWords(e, tmp)} ({DiskSpace.Describe(tmp)})", // the temp file is gone by now: what is free is free
        _ => OwnWords(e, tmp),
    };

    /// <summary>The nearest folder on <paramref name="path"/>'s way that is a file (so nothing can be created under it), or null.</summary>
    public static string? FileInTheWay(string path)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            if (File.Exists(dir)) return dir;
        return null;
    }

    /// <summary>.NET's message (<c>No space left on device : '/x/.f.1.tmp'</c>) without the temp file's name.</summary>
    private static string OwnWords(Exception e, string tmp) =>
        e.Message.Replace($" : '{tmp}'", "", StringComparison.Ordinal).Replace(tmp, "its temporary file", StringComparison.Ordinal);

    public static void WriteAllText(string path, string text, bool durable = true) =>
        Write(path, fs => { var bytes = System.Text.Encoding.UTF8.GetBytes(text); fs.Write(bytes); }, durable);

    /// <summary>Publishes a finished temp file (or folder) under its final name.</summary>
    public static void Publish(string tmp, string path)
    {
        if (Directory.Exists(tmp))
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            Directory.Move(tmp, path);
        }
        else File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Deletes the temp files (<see cref="TempPathFor"/>) under <paramref name="dir"/> whose writer process is gone: a
    /// crash between create and rename must not leave files that nothing removes. Returns how many were deleted.
    /// </summary>
    public static int RemoveOrphans(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        int n = 0;
        foreach (var f in Directory.EnumerateFiles(dir, ".*.tmp", SearchOption.AllDirectories))
        {
            var parts = Path.GetFileName(f).Split('.');
            if (parts.Length >= 5 && int.TryParse(parts[^3], out var pid) && !ProcessIsAlive(pid)) { TryDelete(f); n++; }
        }
        return n;
    }

    /// <summary>
    /// Deletes the temp files of <paramref name="path"/> alone (its siblings named <c>.&lt;name&gt;.&lt;pid&gt;.*.tmp</c>)
    /// whose writer is gone: for a file in a folder that is not ours to scan (the project folder's pipeline.lock).
    /// </summary>
    public static int RemoveOrphansOf(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) return 0;
        int n = 0;
        foreach (var f in Directory.EnumerateFiles(dir, $".{Path.GetFileName(path)}.*.tmp", SearchOption.TopDirectoryOnly))
        {
            var rest = Path.GetFileName(f)[(Path.GetFileName(path).Length + 2)..].Split('.'); // <pid>.<guid>.tmp
            if (rest.Length == 3 && int.TryParse(rest[0], out var pid) && !ProcessIsAlive(pid)) { TryDelete(f); n++; }
        }
        return n;
    }

    public static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
            else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
