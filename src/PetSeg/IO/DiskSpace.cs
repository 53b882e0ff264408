namespace PetSeg.IO;

/// <summary>
/// Free space on the file system that holds a path, and whether a failed write failed for want of it: a full disk
/// (or a used-up quota, as on a cluster's home and scratch folders) is a problem the user solves, not a transient one
/// to retry, and its message should say how much there is and how much was needed.
/// </summary>
public static class DiskSpace
{
    // errno as .NET's IOException.HResult carries it on Unix: ENOSPC is 28 everywhere, EDQUOT 122 on Linux, 69 on macOS.
    private const int NoSpace = 28, QuotaLinux = 122, QuotaMac = 69;
    // Windows' HRESULTs for ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL.
    private const int DiskFullWindows = unchecked((int)0x80070070), HandleDiskFullWindows = unchecked((int)0x80070027);

    /// <summary>
    /// Bytes a non-privileged writer may still put on the file system holding <paramref name="path"/> (the nearest
    /// existing folder above it, so a folder not yet created is measured where it will be); null where it cannot be told.
    /// </summary>
    public static long? FreeBytes(string path)
    {
        var dir = Path.GetFullPath(path);
        while (!Directory.Exists(dir)) dir = Path.GetDirectoryName(dir) ?? "";
        if (dir.Length == 0) return null;
        try { return new DriveInfo(dir).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }

    /// <summary>Whether <paramref name="e"/> or an exception inside it says the disk (or the user's quota on it) is full.</summary>
    public static bool IsFull(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is NotEnoughDiskSpaceException || (e is IOException && IsFullCode(e.HResult))) return true;
        return false;
    }

    private static bool IsFullCode(int code) => code switch
    {
        NoSpace or DiskFullWindows or HandleDiskFullWindows => true,
        QuotaLinux => OperatingSystem.IsLinux(),
        QuotaMac => OperatingSystem.IsMacOS(),
        _ => false,
    };

    /// <summary>
    /// A size as people read it, to two figures at least: "294 MB", "2.1 MB", "1.2 GB" (decimal units, as <c>df -H</c>
    /// and file managers show them), so a need and what is free do not round to the same number.
    /// </summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 10_000_000_000 => Format(bytes / 1e9, "F0", "GB"),
        >= 1_000_000_000 => Format(bytes / 1e9, "F1", "GB"),
        >= 10_000_000 => Format(bytes / 1e6, "F0", "MB"),
        >= 1_000_000 => Format(bytes / 1e6, "F1", "MB"),
        >= 10_000 => Format(bytes / 1e3, "F0", "kB"),
        _ => Format(bytes / 1e3, "F1", "kB"),
    };

    private static string Format(double value, string format, string unit) => $"{value.ToString(format, System.Globalization.CultureInfo.InvariantCulture)} {unit}";

    /// <summary>"12 MB free there", or nothing where the free space cannot be told.</summary>
    public static string Describe(string path) => FreeBytes(path) is { } free ? $"{Size(free)} free there" : "its free space could not be read";

    /// <summary>
    /// Fails before the work when the file system holding <paramref name="path"/> has less than <paramref name="needed"/>
    /// bytes free: "<paramref name="what"/> needs about 588 MB free on the disk holding …, which has 52 MB
    /// (<paramref name="because"/>)". Free space that cannot be read passes.
    /// </summary>
    public static void Ensure(string path, long needed, string what, string? because = null)
    {
        if (needed > 0 && FreeBytes(path) is { } free && free < needed)
            throw new NotEnoughDiskSpaceException(path, needed, free, what, because);
    }
}
