using System.Globalization;

namespace PetSeg.Core;

/// <summary>
/// A process's <c>/proc/PID/stat</c> line, by field number as proc(5) counts them (1: pid, 2: comm, 3: state, 4: ppid,
/// 22: start time). The command name may hold spaces and parentheses, so the fields after it are read from its last ')'.
/// </summary>
public static class ProcessStat
{
    /// <summary>Field <paramref name="number"/> (3 or later) of <paramref name="pid"/>'s stat line, or null once the process has ended.</summary>
    public static long? Field(string procRoot, int pid, int number)
    {
        string stat;
        try { stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries); // fields[0] is field 3
        int i = number - 3;
        return i >= 0 && i < fields.Length && long.TryParse(fields[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
