namespace PetSeg.IO;

/// <summary>
/// Work refused before it started because the disk it writes to cannot take what it will write (see
/// <see cref="DiskSpace.Ensure"/>): better than failing after an hour's training or a 800 MB download.
/// </summary>
public sealed class NotEnoughDiskSpaceException(string path, long needed, long free, string what, string? because = null)
    : IOException($"{what} needs about {DiskSpace.Size(needed)} free on the disk holding {path}, which has {DiskSpace.Size(free)}{(because is null ? "" : $" ({because})")}")
{
    public string Path { get; } = path;
    public long Needed { get; } = needed;
    public long Free { get; } = free;
}
