using System.Globalization;

namespace PetSeg.Workflow.Store;

/// <summary>
/// A work folder of the store whose process ended before publishing it (stopped, killed, crashed): named
/// <c>&lt;pid&gt;-&lt;32 hex&gt;[-&lt;stage&gt;]</c> by <see cref="ArtifactStore.NewWorkDir"/>.
/// </summary>
/// <param name="Pid">The process that made it, or null where the name does not say.</param>
/// <param name="Stage">The stage it was for, or null (folders of runs before stages were named, or not a stage's).</param>
public sealed record DeadWorkDir(int? Pid, string? Stage, DateTime LastWritten = default)
{
    public static DeadWorkDir Parse(string name)
    {
        var parts = name.Split('-', 3);
        int? pid = int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
        return new DeadWorkDir(pid, pid is not null && parts.Length == 3 && parts[1].Length == 32 && parts[2].Length > 0 ? parts[2] : null);
    }

    /// <summary>"the work folder of train-unet-base, whose run (pid 4242) ended before finishing it (stopped, killed or crashed; last written 2026-12-07 12:14 UTC)".</summary>
    public string Describe() =>
        $"{(Stage is null ? "a work folder" : $"the work folder of {Stage}")}, whose run{(Pid is null ? "" : $" (pid {Pid})")} ended before finishing it " +
        $"(stopped, killed or crashed; last written {LastWritten.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)";
}
