using System.Diagnostics;

namespace PetSeg.Workflow.Cluster;

/// <summary>
/// The Slurm client commands (sbatch, squeue, scancel) run as processes, exactly as a user would type them: no
/// daemon or scheduler of ours. The environment (SLURM_CONF included) passes through.
/// </summary>
public sealed class SlurmClient
{
    /// <summary>Submits <paramref name="script"/> with <paramref name="options"/>; returns the job id.</summary>
    public string Submit(string script, IEnumerable<string> options)
    {
        var output = Run("sbatch", ["--parsable", .. options, script]);
        var id = output.Trim().Split(';')[0];
        return id.Length > 0 && id.All(char.IsDigit) ? id : throw new ClusterException($"sbatch printed no job id: {output.Trim()}");
    }

    /// <summary>The jobs Slurm still knows among <paramref name="ids"/> (finished jobs age out after MinJobAge).</summary>
    public IReadOnlyList<SlurmJob> Jobs(IReadOnlyCollection<string> ids) =>
        ids.Count == 0 ? [] : Parse(Run("squeue", ["-h", "-t", "all", "-j", string.Join(",", ids), "-o", "%i|%j|%T|%S|%e|%M"], allowFailure: true));

    /// <summary>This user's jobs whose name starts with <paramref name="namePrefix"/>.</summary>
    public IReadOnlyList<SlurmJob> Named(string namePrefix) =>
        Parse(Run("squeue", ["-h", "--me", "-t", "all", "-o", "%i|%j|%T|%S|%e|%M"])).Where(j => j.Name.StartsWith(namePrefix, StringComparison.Ordinal)).ToList();

    public void Cancel(IEnumerable<string> ids)
    {
        var list = ids.ToList();
        if (list.Count > 0) Run("scancel", list);
    }

    private static List<SlurmJob> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|')).Where(f => f.Length >= 6)
            .Select(f => new SlurmJob(f[0], f[1], f[2], f[3], f[4], f[5])).ToList();

    private static string Run(string program, IReadOnlyList<string> args, bool allowFailure = false)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new ClusterException($"{program} not found: cluster.engine is slurm but the Slurm client commands are not installed here (Debian: slurm-client)");
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 && !allowFailure)
                throw new ClusterException($"{program} {string.Join(' ', args)} failed (exit {p.ExitCode}): {stderr.Trim()}");
            return stdout.Result;
        }
    }
}
