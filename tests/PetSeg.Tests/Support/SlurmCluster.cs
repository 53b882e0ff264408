using System.Diagnostics;

namespace PetSeg.Tests.Support;

/// <summary>
/// A one-node Slurm 24.11 cluster on localhost for the tests: slurmctld and slurmd in the foreground with a private
/// slurm.conf (auth/slurm, no munge) in a temp folder, stopped by PID. SLURM_CONF is set for this process, so the
/// client commands and the jobs' environment find it. A requeued job may start again after its credential's lifetime
/// (cred_expire, 120 s by default: 10 s here) and the next scheduling pass (every second here, besides the one on submission).
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<Process> _daemons = [];

    public SlurmCluster()
    {
        foreach (var tool in new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch" })
            if (!File.Exists(tool)) throw new InvalidOperationException($"{tool} not found: run `bash build/bootstrap.sh` as root (installs slurmctld, slurmd, slurm-client from Debian 13)");
        var d = _dir.Path;
        Directory.CreateDirectory(Path.Combine(d, "state"));
        Directory.CreateDirectory(Path.Combine(d, "spool"));
        File.WriteAllBytes(Path.Combine(d, "slurm.key"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(d, "slurm.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(d, "slurm.conf"), $"""
            ClusterName=petseg
            SlurmctldHost=localhost(127.0.0.1)
            SlurmctldPort={TestText.FreePort()}
            SlurmdPort={TestText.FreePort()}
            SlurmUser=root
            AuthType=auth/slurm
            CredType=cred/slurm
            MailProg=/bin/true
            StateSaveLocation={d}/state
            SlurmdSpoolDir={d}/spool
            SlurmctldPidFile={d}/slurmctld.pid
            SlurmdPidFile={d}/slurmd.pid
            SlurmctldLogFile={d}/slurmctld.log
            SlurmdLogFile={d}/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core_Memory
            DefMemPerCPU=1000
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/filetxt
            JobCompLoc={d}/jobcomp.txt
            MinJobAge=3600
            SchedulerParameters=sched_interval=1
            AuthInfo=cred_expire=10
            NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=8000 State=UNKNOWN
            PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
            """);
        Environment.SetEnvironmentVariable("SLURM_CONF", Path.Combine(d, "slurm.conf"));
        Start("/usr/sbin/slurmctld", "-D", "-i");
        Start("/usr/sbin/slurmd", "-D", "-N", "localhost");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Sinfo().Contains("idle", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"the Slurm node did not become idle: {Sinfo()}\n{File.ReadAllText(Path.Combine(d, "slurmctld.log"))}");
            Thread.Sleep(100);
        }
    }

    private void Start(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _daemons.Add(p);
        Thread.Sleep(200);
    }

    private static string Sinfo()
    {
        var psi = new ProcessStartInfo("sinfo", "-h -o %t") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return o;
    }

    /// <summary>Start and end times (Unix seconds) of the given jobs, from squeue.</summary>
    public static Dictionary<string, (DateTime Start, DateTime End, string State)> Times(IEnumerable<string> ids)
    {
        var psi = new ProcessStartInfo("squeue", $"-h -t all -j {string.Join(',', ids)} -o %i|%S|%e|%T") { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        p.WaitForExit();
        return lines.Select(l => l.Split('|')).ToDictionary(f => f[0], f => (Parse(f[1]), Parse(f[2]), f[3]));
        static DateTime Parse(string s) => DateTime.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t) ? t : DateTime.MinValue;
    }

    /// <summary>Sends <paramref name="signal"/> to a job's batch shell, as Slurm does before a time limit (<c>--signal=B:…</c>).</summary>
    public static void Signal(string jobId, string signal)
    {
        using var p = Process.Start(new ProcessStartInfo("scancel", ["-s", signal, "-b", jobId]) { UseShellExecute = false })!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"scancel -s {signal} -b {jobId} failed ({p.ExitCode})");
    }

    /// <summary>
    /// Cancels every job still queued or running and waits (at most <paramref name="timeout"/>) until none is left: a
    /// test's cancelled job that was still starting wrote into its workspace after the test had deleted it.
    /// </summary>
    public static void CancelAllAndWait(TimeSpan timeout)
    {
        using (var cancel = Process.Start(new ProcessStartInfo("scancel", ["--user", Environment.UserName]) { UseShellExecute = false })!) cancel.WaitForExit();
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            using var p = Process.Start(new ProcessStartInfo("squeue", "-h -o %i") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var left = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode == 0 && left.Trim().Length == 0) return;
            Thread.Sleep(200);
        }
    }

    public void Dispose()
    {
        foreach (var p in Enumerable.Reverse(_daemons))
        {
            if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
            p.Dispose();
        }
        Environment.SetEnvironmentVariable("SLURM_CONF", null);
        _dir.Dispose();
    }
}
