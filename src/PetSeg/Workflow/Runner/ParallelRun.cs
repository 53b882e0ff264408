using System.Diagnostics;
using PetSeg.Core;
using PetSeg.Workflow.Stages;

namespace PetSeg.Workflow.Runner;

/// <summary>
/// The stale stages of a target as child processes on this machine, up to <c>jobs</c> at once, each started as soon
/// as the stages it needs are done: the Slurm submission's DAG without a cluster (a GPU box with several GPUs, a
/// workstation). Each child runs one stage alone on the shared store, whose stage locks keep two processes from
/// computing one stage. With a device pool, a stage that computes takes a device of its own for as long as it runs.
/// A failed stage stops new starts; those running finish, and what needed the failed stage is reported not run.
/// Ctrl-C or SIGTERM stops the children as it stops a run: each finishes its step (a training saves where it got to)
/// and publishes nothing; one still running after <see cref="StopGrace"/> is killed.
/// </summary>
/// <param name="start">How a child runs one stage (alone, its inputs published) on the device given, or on the configured one when null.</param>
public sealed class ParallelRun(PipelineRunner runner, int jobs, IReadOnlyList<string> devices, Func<Stage, string?, ProcessStartInfo> start, IProgressSink ui)
{
    /// <summary>What happened to each stale stage of the target, by id.</summary>
    public sealed record Outcome(IReadOnlyList<string> Done, IReadOnlyList<string> Failed, IReadOnlyList<string> NotRun)
    {
        public bool Succeeded => Failed.Count == 0 && NotRun.Count == 0;
    }

    private sealed record Child(Stage Stage, string? Device, Process Process, Task Exited);

    public Outcome Run(string target, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        // Stale stages only: a fresh stage's view (the report's copy) is refreshed by the caller's own pass.
        var stale = runner.Status().Where(s => s.State == Freshness.Stale).Select(s => s.Stage).ToHashSet(StringComparer.Ordinal);
        var pending = runner.Graph.Closure(target).Where(s => stale.Contains(s.Id)).ToList(); // dependencies first
        var planned = pending.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var freeDevices = new Queue<string>(devices);
        var running = new List<Child>();
        var done = new List<string>();
        var failed = new List<string>();
        ui.Info($"{target}: {pending.Count} stage(s) to run, up to {jobs} at once, {ThreadsEach} CPU thread(s) each{(devices.Count > 0 ? $", on {string.Join(", ", devices)}" : "")}");
        try
        {
            while (pending.Count > 0 || running.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                if (failed.Count == 0)
                    foreach (var stage in pending.ToList())
                    {
                        if (running.Count >= jobs) break;
                        bool ready = stage.DependsOn.All(d => !planned.Contains(d) || done.Contains(d));
                        bool needsDevice = devices.Count > 0 && stage.Computes;
                        if (!ready || (needsDevice && freeDevices.Count == 0)) continue;
                        var device = needsDevice ? freeDevices.Dequeue() : null;
                        running.Add(Launch(stage, device));
                        pending.Remove(stage);
                        ui.Info($"{stage.Id}: started{(device is null ? "" : $" on {device}")} ({running.Count} running)");
                    }
                if (running.Count == 0) break; // nothing can start: what is left needs a stage that failed
                int finished = Task.WaitAny([.. running.Select(c => c.Exited)], ct);
                var child = running[finished];
                running.RemoveAt(finished);
                if (child.Device is not null) freeDevices.Enqueue(child.Device);
                int exit = child.Process.ExitCode;
                ChildProcess.Forget(child.Process);
                child.Process.Dispose();
                if (exit == 0) done.Add(child.Stage.Id);
                else
                {
                    failed.Add(child.Stage.Id);
                    ui.Info($"{child.Stage.Id}: failed ({ChildProcess.DescribeExit(exit)}){(running.Count > 0 ? $"; letting the {running.Count} running finish, starting nothing new" : "")}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (running.Count > 0) ui.Info($"stopping {string.Join(", ", running.Select(c => c.Stage.Id))} at the end of their step");
            foreach (var c in running) ChildProcess.Terminate(c.Process);
            Task.WaitAll([.. running.Select(c => c.Exited)], StopGrace);
            foreach (var c in running) Kill(c.Process);
            runner.RemoveLeftovers(); // what a killed child left: its work folder and temp files
            throw;
        }
        return new Outcome(done, failed, [.. pending.Select(s => s.Id)]);
    }

    /// <summary>
    /// The CPU threads each child computes with: the cores shared out among the jobs (libtorch would take every core in
    /// each child; two children on two cores then ran the smoke profile at half the speed of one thread each), unless
    /// <c>OMP_NUM_THREADS</c> says otherwise. A thread count changes float rounding, so a stage computed here equals a
    /// sequential run with the same count, byte for byte.
    /// </summary>
    public int ThreadsEach =>
        int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out var set) && set > 0 ? set : Math.Max(1, Environment.ProcessorCount / jobs);

    public const string ThreadsVariable = PetSeg.Compute.OpenMpVariables.Threads;

    /// <summary>How long stopped children may take to finish their step and clean up before they are killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(2);

    /// <summary>Starts a child whose output lines are shown as they come, each under its stage's name.</summary>
    private Child Launch(Stage stage, string? device)
    {
        var info = start(stage, device);
        info.Environment[ThreadsVariable] = ThreadsEach.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment[ChildProcess.StoppedByParentVariable] = "1";
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        DataReceivedEventHandler show = (_, e) => { if (!string.IsNullOrWhiteSpace(e.Data)) ui.Info($"[{stage.Id}] {e.Data}"); };
        process.OutputDataReceived += show;
        process.ErrorDataReceived += show;
        if (!process.Start()) throw new PetSegException($"{stage.Id}: could not start {info.FileName}");
        ChildProcess.Track(process); // a second Ctrl-C kills it with this process
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Child(stage, device, process, process.WaitForExitAsync()); // returns once the output has been read to its end
    }

    private static void Kill(Process process)
    {
        try { ChildProcess.Forget(process); process.Kill(entireProcessTree: true); process.WaitForExit(10_000); }
        catch (InvalidOperationException) { } // already gone
        finally { process.Dispose(); }
    }
}
