using PetSeg.Core;
using System.Globalization;

namespace PetSeg.Compute;

/// <summary>
/// Other petseg processes computing on this machine while this one does. Each takes libtorch's threads on every core,
/// and libgomp lets a waiting thread spin, on the cores the other process needs: two Unet trainings side by side on 2
/// cores trained 1.4 images/s each, 2.6 each with <c>OMP_WAIT_POLICY=PASSIVE</c> (5.2 alone). Said only when neither
/// <c>OMP_NUM_THREADS</c> nor <c>OMP_WAIT_POLICY</c> is set: a parallel run's children and Slurm jobs set the thread
/// count, and whoever set either has decided. Linux only (read from /proc); elsewhere it says nothing.
/// </summary>
public static class SideBySideProcesses
{
    /// <summary>The commands that compute with libtorch for longer than a moment.</summary>
    private static readonly HashSet<string> Computing = new(StringComparer.Ordinal) { "run", "bench", "predict", "score", "lr-find" };

    /// <summary>One warning line, or null: nothing else computes here, the environment already decides, or no /proc.</summary>
    public static string? Warning() => Warning(Environment.GetEnvironmentVariable, "/proc", Environment.ProcessId);

    public static string? Warning(Func<string, string?> environment, string procRoot, int self)
    {
        if (!string.IsNullOrEmpty(environment(OpenMpVariables.Threads)) || !string.IsNullOrEmpty(environment(OpenMpVariables.WaitPolicy))) return null;
        var others = Others(procRoot, self);
        if (others.Count == 0) return null;
        var who = others.Count == 1 ? $"another petseg process computes on this machine (pid {others[0]})"
            : $"{others.Count} other petseg processes compute on this machine (pids {string.Join(", ", others)})";
        return $"warning: {who}, each with libtorch's threads on every core, and a thread that waits spins on the cores the " +
               "other needs (two trainings side by side on 2 cores: 1.4 images/s each, 2.6 with PASSIVE). Set OMP_WAIT_POLICY=PASSIVE " +
               "for the petseg processes that compute side by side, or share the cores out with OMP_NUM_THREADS.";
    }

    /// <summary>
    /// The pids, ascending, of other processes running a computing petseg command (<c>dotnet …/PetSeg.Cli.dll run …</c>
    /// or <c>petseg run …</c>). This process's ancestors are not others: a wrapper that started it (<c>timeout 3600
    /// petseg run …</c>, <c>srun petseg run …</c>) has its command line and computes nothing.
    /// </summary>
    public static List<int> Others(string procRoot, int self)
    {
        var found = new List<int>();
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories(procRoot); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return found; }
        var lineage = Ancestors(procRoot, self);
        lineage.Add(self);
        foreach (var dir in dirs)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || lineage.Contains(pid)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // gone since listed, or not ours to read
            if (IsComputingPetseg(cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries))) found.Add(pid);
        }
        found.Sort();
        return found;
    }

    /// <summary>The parent, its parent and so on up to init, from each <c>/proc/&lt;pid&gt;/stat</c>'s fourth field.</summary>
    public static HashSet<int> Ancestors(string procRoot, int pid)
    {
        var found = new HashSet<int>();
        while (pid > 1 && found.Count < 1000)
        {
            var parent = ProcessStat.Field(procRoot, pid, 4); // ppid
            if (parent is null or < 0 or > int.MaxValue) break;
            pid = (int)parent.Value;
            if (!found.Add(pid)) break;
        }
        return found;
    }

    /// <summary>The first argument after the program (petseg itself, or PetSeg.Cli.dll after a host) names a computing command.</summary>
    public static bool IsComputingPetseg(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count - 1; i++)
        {
            var name = Path.GetFileName(args[i]);
            if (name is "petseg" or "PetSeg.Cli" or "PetSeg.Cli.dll") return Computing.Contains(args[i + 1]);
        }
        return false;
    }
}
