namespace PetSeg.IO;

/// <summary>Writes files so that readers see either the old content or the complete new one, never a torn file.</summary>
public static class AtomicFile
{
    /// <summary>A temp path next to <paramref name="path"/> (same filesystem, so the final rename is atomic).</summary>
    public static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Runs <paramref name="write"/> against a temp file, flushes it to disk, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<FileStream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = TempPathFor(path);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, fs => { var bytes = System.Text.Encoding.UTF8.GetBytes(text); fs.Write(bytes); });

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
