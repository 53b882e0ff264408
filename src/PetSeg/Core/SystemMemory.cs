using System.Globalization;

namespace PetSeg.Core;

/// <summary>
/// How much more memory this process may take before the kernel ends it, and its own resident size. The kernel's
/// out-of-memory killer ends a process with SIGKILL and no message, so a training too large for the machine is better
/// refused before its first step. The room is the smallest of: the system's <c>MemAvailable</c>, the room under the
/// process's cgroup limit (a Slurm job's <c>--mem</c>, a container's limit; v1 and v2) and the user's own cap
/// (<see cref="LimitVariable"/>). Linux only: elsewhere nothing is known and every answer is null.
/// </summary>
/// <param name="proc">Where procfs is mounted (tests point it at files of their own).</param>
/// <param name="cgroupRoot">Where the cgroup file systems are mounted.</param>
public sealed class SystemMemory(string proc = "/proc", string cgroupRoot = "/sys/fs/cgroup")
{
    /// <summary>
    /// A cap on what petseg's trainings on this machine hold together (e.g. <c>8GiB</c>), for a shared machine without
    /// cgroup limits: a training's room under it is the cap less its own resident size and the other trainings' shares.
    /// </summary>
    public const string LimitVariable = "PETSEG_MEMORY_LIMIT";

    public static SystemMemory This { get; } = new();

    /// <summary>The resident size this process may reach, and what limits it; null where unknown.</summary>
    /// <param name="cap">The user's cap (<see cref="LimitVariable"/>'s value), or null.</param>
    /// <param name="others">
    /// The other trainings the memory ledger knows of: what they have yet to take is not in <c>MemAvailable</c> (nor in
    /// the cgroup's charge, for those charged to it), and each takes its share of the cap.
    /// </param>
    /// <param name="ended">Whether to answer as if <paramref name="others"/> had ended: their resident memory free again and no shares of the cap.</param>
    /// <exception cref="ConfigException">The cap is not a size.</exception>
    public MemoryRoom? Room(string? cap, IReadOnlyList<OtherTraining>? others = null, bool ended = false)
    {
        long? limit = string.IsNullOrWhiteSpace(cap) ? null
            : ParseSize(cap) ?? throw new ConfigException($"{LimitVariable}={cap} is not a size: write bytes or a number with a unit, e.g. 8GiB, 500MB or 2G");
        if (ResidentBytes() is not { } rss) return null;
        others ??= [];
        var rooms = new List<MemoryRoom>();
        if (ReadKiB(Path.Combine(proc, "meminfo"), "MemAvailable:") is { } available)
            rooms.Add(Beside(new MemoryRoom(rss + available, rss, "MemAvailable in /proc/meminfo"), others, ended));
        if (CgroupRoom() is { } cgroup) rooms.Add(Beside(new MemoryRoom(rss + cgroup.Room, rss, cgroup.Source), [.. others.Where(o => o.SameCgroup)], ended));
        if (limit is { } l) rooms.Add(SharedWith(new MemoryRoom(l, rss, $"{LimitVariable}={cap!.Trim()}"), ended ? [] : others));
        return rooms.Count == 0 ? null : rooms.MinBy(r => r.CeilingBytes);
    }

    /// <summary>
    /// <paramref name="room"/> less what <paramref name="others"/> have yet to take of it; or, were they
    /// <paramref name="ended"/>, more by what they hold.
    /// </summary>
    private static MemoryRoom Beside(MemoryRoom room, IReadOnlyList<OtherTraining> others, bool ended)
    {
        if (ended) return room with { CeilingBytes = room.CeilingBytes + others.Sum(o => o.ResidentBytes) };
        var growing = others.Where(o => o.ToComeBytes > 0).ToList();
        if (growing.Count == 0) return room;
        long toCome = growing.Sum(o => o.ToComeBytes);
        return room with
        {
            CeilingBytes = room.CeilingBytes - toCome,
            Source = $"{room.Source}, less the {MemoryRoom.Size(toCome)} that " +
                     (growing.Count == 1 ? $"the training of {growing[0]} has" : $"{growing.Count} other trainings have") +
                     " yet to take" + (growing.Count == 1 ? "" : ": " + Listed(growing.Select(o => $"{o} {MemoryRoom.Size(o.ToComeBytes)}"))),
        };
    }

    /// <summary>A cap <paramref name="room"/> less the shares of <paramref name="others"/>, which it caps together with this process.</summary>
    private static MemoryRoom SharedWith(MemoryRoom room, IReadOnlyList<OtherTraining> others) => others.Count == 0 ? room : room with
    {
        CeilingBytes = room.CeilingBytes - others.Sum(o => o.ShareBytes),
        Source = $"{room.Source}, shared with " + Listed(others.Select(o => $"{o} at {MemoryRoom.Size(o.ShareBytes)}")),
    };

    private static string Listed(IEnumerable<string> items) => items.ToList() is var list && list.Count > 1 ? string.Join(", ", list[..^1]) + " and " + list[^1] : list.Single();

    /// <summary>This process's resident size now (VmRSS).</summary>
    public long? ResidentBytes() => ReadKiB(Path.Combine(proc, "self", "status"), "VmRSS:");

    /// <summary>Another process's resident size now (VmRSS); null once it has ended.</summary>
    public long? ResidentBytesOf(int pid) => ReadKiB(Path.Combine(proc, pid.ToString(CultureInfo.InvariantCulture), "status"), "VmRSS:");

    /// <summary>
    /// When a process started, in clock ticks after boot (<c>/proc/PID/stat</c>'s 22nd field): with its pid, it names
    /// the process, which a pid alone does not once the pid is reused. Null once it has ended.
    /// </summary>
    public long? StartTimeOf(int pid) => ProcessStat.Field(proc, pid, 22);

    /// <summary>The cgroups a process is in (<c>/proc/PID/cgroup</c>, <paramref name="pid"/> null for this one); null once it has ended.</summary>
    public string? CgroupOf(int? pid)
    {
        try { return File.ReadAllText(Path.Combine(proc, pid?.ToString(CultureInfo.InvariantCulture) ?? "self", "cgroup")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>This process's peak resident size since it started or since <see cref="ResetPeak"/> (VmHWM).</summary>
    public long? PeakResidentBytes() => ReadKiB(Path.Combine(proc, "self", "status"), "VmHWM:");

    /// <summary>Starts the peak over from the present resident size (Linux 4.0's <c>clear_refs</c> 5); false where it cannot.</summary>
    public bool ResetPeak()
    {
        try { File.WriteAllText(Path.Combine(proc, "self", "clear_refs"), "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Bytes from "8GiB", "8G", "500MB", "1.5 GB" or plain bytes: binary units for KiB/MiB/GiB/TiB and for the bare
    /// letters (as Slurm's and Docker's sizes), decimal for kB/MB/GB/TB; null for anything else.
    /// </summary>
    public static long? ParseSize(string text)
    {
        var s = text.Trim();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (!double.TryParse(s[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return null;
        double? unit = s[end..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KIB" => 1L << 10, "M" or "MIB" => 1L << 20, "G" or "GIB" => 1L << 30, "T" or "TIB" => 1L << 40,
            "KB" => 1e3, "MB" => 1e6, "GB" => 1e9, "TB" => 1e12,
            _ => null,
        };
        return unit is { } u && value * u is var bytes && bytes is > 0 and < long.MaxValue ? (long)bytes : null;
    }

    /// <summary>The tightest cgroup memory limit above this process, less the memory charged against it that cannot be reclaimed.</summary>
    private (long Room, string Source)? CgroupRoom()
    {
        string[] lines;
        try { lines = File.ReadAllLines(Path.Combine(proc, "self", "cgroup")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        (long Room, string Source)? tightest = null;
        void Consider((long Room, string Source)? r) { if (r is { } x && (tightest is null || x.Room < tightest.Value.Room)) tightest = x; }
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[0] == "0" && parts[1] == "") // cgroup v2: limits may sit on any ancestor
            {
                foreach (var mount in new[] { cgroupRoot, Path.Combine(cgroupRoot, "unified") })
                    for (var dir = Existing(mount, parts[2]); dir is not null; dir = dir == mount ? null : Path.GetDirectoryName(dir))
                        Consider(Limited(dir, "memory.max", "memory.current", "inactive_file", "memory.max"));
            }
            else if (parts[1].Split(',').Contains("memory")) // cgroup v1: memory.stat holds the limit over the hierarchy
            {
                var mount = Path.Combine(cgroupRoot, "memory");
                if (Existing(mount, parts[2]) is { } dir)
                    Consider(Limited(dir, "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file", "hierarchical_memory_limit"));
            }
        }
        return tightest;
    }

    /// <summary>The process's cgroup folder under <paramref name="mount"/>, or the mount itself where the path is not visible (inside a container's namespace).</summary>
    private static string? Existing(string mount, string cgroupPath)
    {
        if (!Directory.Exists(mount)) return null;
        var dir = Path.Combine(mount, cgroupPath.TrimStart('/'));
        return Directory.Exists(dir) ? dir.TrimEnd('/') : mount;
    }

    private static (long Room, string Source)? Limited(string dir, string limitFile, string usageFile, string reclaimableStat, string limitStat)
    {
        long? limit = ReadNumber(Path.Combine(dir, limitFile));
        var stat = ReadStat(Path.Combine(dir, "memory.stat"));
        if (limitFile != limitStat && stat.TryGetValue(limitStat, out var hierarchical) && (limit is null || hierarchical < limit)) limit = hierarchical;
        if (limit is null or >= long.MaxValue / 2) return null; // "max", or v1's "no limit" (a page-rounded 2^63)
        long used = ReadNumber(Path.Combine(dir, usageFile)) ?? 0;
        long reclaimable = stat.GetValueOrDefault(reclaimableStat);
        long working = Math.Max(0, used - reclaimable); // page cache it may drop is not what the limit kills for
        return (Math.Max(0, limit.Value - working),
            $"the cgroup limit of {MemoryRoom.Size(limit.Value)} ({Path.Combine(dir, limitFile)}), {MemoryRoom.Size(working)} of it in use");
    }

    private static long? ReadNumber(string path)
    {
        try { return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static Dictionary<string, long> ReadStat(string path)
    {
        var values = new Dictionary<string, long>();
        try
        {
            foreach (var line in File.ReadLines(path))
                if (line.Split(' ') is [var key, var v] && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) values[key] = n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return values;
    }

    /// <summary>A "Name:   1234 kB" line of a procfs file, in bytes.</summary>
    private static long? ReadKiB(string path, string name)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith(name, StringComparison.Ordinal)
                    && long.TryParse(line[name.Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                    return kib * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }
}
