namespace PetSeg.Data.Download;

/// <summary>
/// <c>&lt;file&gt;.verified</c>: records that the file, at this size and mtime, passed these checksums, so an
/// 800 MB archive is not re-hashed (MD5 + SHA-256, ~3 s) on every run. Any change to the file invalidates it.
/// </summary>
internal static class VerifiedStamp
{
    private static string PathFor(string file) => file + ".verified";

    private static string Describe(string file, Checksum c)
    {
        var info = new FileInfo(file);
        return $"size={info.Length}\nmtime={info.LastWriteTimeUtc.Ticks}\nmd5={c.Md5}\nsha256={c.Sha256}\nexpected_size={c.Size}\n";
    }

    public static bool Matches(string file, Checksum c) =>
        !c.IsEmpty && File.Exists(PathFor(file)) && File.ReadAllText(PathFor(file)) == Describe(file, c);

    public static void Write(string file, Checksum c) => IO.AtomicFile.WriteAllText(PathFor(file), Describe(file, c));
}
