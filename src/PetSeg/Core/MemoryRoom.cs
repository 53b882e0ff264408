using System.Globalization;

namespace PetSeg.Core;

/// <summary>
/// The resident size a process may reach, and what limits it (for the message that says so). A ceiling rather than the
/// bytes left, because handing free heap back to the kernel moves bytes from the one to the other, not the ceiling.
/// </summary>
/// <param name="CeilingBytes">The resident size the process may reach.</param>
/// <param name="ResidentBytes">Its resident size when this was read.</param>
public sealed record MemoryRoom(long CeilingBytes, long ResidentBytes, string Source)
{
    /// <summary>What the process could still add when this was read.</summary>
    public long Bytes => Math.Max(0, CeilingBytes - ResidentBytes);

    /// <summary>A memory size as <c>free -h</c> and Slurm show it, in binary units to two figures at least: "85 MiB", "1.3 GiB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 10L << 30 => Format(bytes / (double)(1L << 30), "F0", "GiB"),
        >= 1L << 30 => Format(bytes / (double)(1L << 30), "F1", "GiB"),
        >= 10L << 20 => Format(bytes / (double)(1L << 20), "F0", "MiB"),
        _ => Format(bytes / (double)(1L << 20), "F1", "MiB"),
    };

    private static string Format(double value, string format, string unit) => $"{value.ToString(format, CultureInfo.InvariantCulture)} {unit}";
}
