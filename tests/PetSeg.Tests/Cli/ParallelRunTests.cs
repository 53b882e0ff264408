using System.Diagnostics;
using PetSeg.Compute;
using PetSeg.Tests.Support;
using PetSeg.Workflow.Store;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg run --jobs N`: the stale stages as child processes, several at once, each as soon as what it needs is done;
/// the results are those of a sequential run, byte for byte. A failed stage stops new starts, and what needed it is
/// reported not run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ParallelRunTests
{
    [Fact]
    public void Stages_run_side_by_side_with_the_results_of_a_sequential_run_and_a_failure_stops_what_needs_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        var cfg = new[] { "--config", dir["pipeline.yaml"] };
        var (exit, log) = CliProcess.Run(["run", "report", "--jobs", "2", .. cfg]);
        Assert.True(exit == 0, log);
        int threads = Math.Max(1, Environment.ProcessorCount / 2); // the cores shared out among the jobs
        Assert.Contains($"report: 8 stage(s) to run, up to 2 at once, {threads} CPU thread(s) each", log);
        Assert.Contains("(2 running)", log); // download and weights need nothing: both start at once
        Assert.Contains("[train-tiny] train-tiny: running (key", log); // each child's lines under its stage's name
        Assert.Contains("report: 8 stage(s), 8 in parallel jobs, 0 ran, 0 pulled, 0 cache hit(s)", log);
        Assert.True(File.Exists(dir["out/report/report.md"]), log); // the view the final pass refreshes
        var parallel = PipelineLock.Read(dir["pipeline.lock"]).Stages;
        Assert.Equal(8, parallel.Count);

        // The same trained weights as one process computing the same stages one after another on as many threads.
        using var other = new TempDir();
        File.WriteAllText(other["pipeline.yaml"], TinyPipeline.Yaml);
        (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { ["OMP_NUM_THREADS"] = threads.ToString() }, "run", "train-tiny", "--config", other["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        var sequential = PipelineLock.Read(other["pipeline.lock"]).Stages["train-tiny"];
        Assert.Equal(sequential.Key, parallel["train-tiny"].Key);
        Assert.Equal(sequential.Outputs["model.safetensors"], parallel["train-tiny"].Outputs["model.safetensors"]);

        // A stage that fails (kernels that fail a strict self-check): its dependents are not started, and it says so.
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.002 }"));
        (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { [InjectedFaults.Variable] = "everywhere" },
            ["run", "report", "--jobs", "2", "--numerics", "strict", .. cfg]);
        Assert.Equal(1, exit);
        Assert.Contains("[train-tiny] error: numerics self-check failed", log);
        Assert.Contains("error: report: train-tiny failed (their output is above, under their names); not run: evaluate-tiny, report", log);
        Assert.DoesNotContain("evaluate-tiny: started", log);
        Assert.Equal(parallel["report"].Key, PipelineLock.Read(dir["pipeline.lock"]).Stages["report"].Key); // nothing new published

        // What cannot be run in parallel is a usage error, before anything starts.
        foreach (var args in new[] { new[] { "--jobs", "0" }, ["--jobs", "2", "--exclusive"], ["--devices", "cuda:0", "--device", "cpu"], ["--devices", "auto"], ["--devices", "cpu,cpu"], ["--devices", "cpu"] })
        {
            (exit, log) = CliProcess.Run(["run", "report", .. args, .. cfg]);
            Assert.True(exit == 2, string.Join(' ', args) + ": " + log);
        }
    }

    [Fact]
    public void A_termination_stops_the_children_at_the_end_of_their_step_and_leaves_neither_processes_nor_work_folders()
    {
        using var dir = new TempDir();
        // Long enough a training (0.06 s an epoch here) to be killed in the middle of it however late the kill lands after
        // its first epoch, with its work folder in use.
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1,", "training: { epochs: 400,"));
        using var run = Process.Start(CliProcess.StartInfo(null, "run", "report", "--jobs", "2", "--config", dir["pipeline.yaml"]))!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var training = new ManualResetEventSlim();
        run.OutputDataReceived += (_, e) => { if (e.Data is { } l) { lines.Enqueue(l); if (l.StartsWith("[train-tiny] epoch 1/400", StringComparison.Ordinal)) training.Set(); } };
        run.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lines.Enqueue(l); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        Assert.True(training.Wait(TimeSpan.FromSeconds(120)), string.Join('\n', lines));

        // SIGTERM (kill, scancel) is handled as Ctrl-C's SIGINT is; SIGINT itself is ignored in processes a non-interactive
        // shell starts in the background, as a CI runner may start this suite.
        Assert.Equal(0, kill(run.Id, SigTerm));
        Assert.True(run.WaitForExit(30_000), "still running 30 s after SIGTERM");
        run.WaitForExit(); // the output, read to its end
        var log = string.Join('\n', lines);
        Assert.True(run.ExitCode == 143, log);
        Assert.Contains("stopping (SIGTERM): finishing the current step", log);
        // The child was stopped as a run is (not killed): it finished its step, saying so under its name.
        Assert.Matches(@"\nstopping [^\n]*train-tiny[^\n]* at the end of their step", log);
        Assert.True(log.Contains("[train-tiny] stopping (SIGTERM): finishing the current step"), log);
        Assert.Contains("[train-tiny] cancelled; completed outputs are kept", log);
        Assert.Contains("cancelled; completed outputs are kept", log);
        // No child lives on (each runs with this workspace's pipeline.yaml on its command line), none left a work folder.
        var alive = CommandLinesMentioning(dir["pipeline.yaml"]);
        Assert.True(alive.Count == 0, $"still running: {string.Join('\n', alive)}\n{log}");
        Assert.Empty(Directory.Exists(dir["out/store/tmp"]) ? Directory.GetFileSystemEntries(dir["out/store/tmp"]) : []);
        Assert.False(PipelineLock.Read(dir["pipeline.lock"]).Stages.ContainsKey("report"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_second_termination_kills_the_children_with_the_parent()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1,", "training: { epochs: 400,"));
        using var run = Process.Start(CliProcess.StartInfo(null, "run", "report", "--jobs", "2", "--config", dir["pipeline.yaml"]))!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var training = new ManualResetEventSlim();
        var stopping = new ManualResetEventSlim();
        run.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } l) return;
            lines.Enqueue(l);
            if (l.StartsWith("[train-tiny] epoch 1/400", StringComparison.Ordinal)) training.Set();
            if (l.StartsWith("stopping ", StringComparison.Ordinal) && l.Contains("at the end of their step", StringComparison.Ordinal)) stopping.Set();
        };
        run.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lines.Enqueue(l); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        var children = new List<int>();
        try
        {
            Assert.True(training.Wait(TimeSpan.FromSeconds(120)), string.Join('\n', lines));
            // Frozen, the children cannot finish their step: only a kill ends them.
            // A short stage may end between the listing and its signal; the 400-epoch training cannot.
            children = [.. PidsMentioning(dir["pipeline.yaml"]).Where(p => p != run.Id)];
            Assert.Contains(children.Count(child => kill(child, SigStop) == 0), new[] { 1, 2 });

            Assert.Equal(0, kill(run.Id, SigTerm));
            Assert.True(stopping.Wait(TimeSpan.FromSeconds(30)), string.Join('\n', lines)); // waiting for them: up to two minutes
            Assert.Equal(0, kill(run.Id, SigTerm));
            Assert.True(run.WaitForExit(30_000), "still running 30 s after the second SIGTERM");
            run.WaitForExit();
            var log = string.Join('\n', lines);
            Assert.True(run.ExitCode == 143, log);
            Assert.Matches(@"killed \(SIGTERM again\) with [12] child process\(es\)", log);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (PidsMentioning(dir["pipeline.yaml"]).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
            Assert.True(PidsMentioning(dir["pipeline.yaml"]).Count == 0, $"children live on: {string.Join('\n', CommandLinesMentioning(dir["pipeline.yaml"]))}\n{log}");
        }
        finally
        {
            foreach (var child in children) _ = kill(child, SigKill); // a failed assertion leaves no frozen process behind
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
    }

    // libc and /proc directly: a fresh Debian has neither kill(1) nor pgrep(1) without procps.
    private const int SigTerm = 15, SigStop = 19, SigKill = 9;

    /// <summary>The live processes whose command line mentions <paramref name="text"/>.</summary>
    private static List<int> PidsMentioning(string text) =>
        [.. Directory.EnumerateDirectories("/proc").Select(d => (Dir: d, Pid: int.TryParse(Path.GetFileName(d), out var p) ? p : 0)).Where(x => x.Pid > 0)
            .Where(x => { try { return File.ReadAllText(Path.Combine(x.Dir, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal); } catch (IOException) { return false; } })
            .Select(x => x.Pid)];

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>The command lines of the live processes that mention <paramref name="text"/>.</summary>
    private static List<string> CommandLinesMentioning(string text) =>
        [.. Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d => { try { return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' '); } catch (IOException) { return ""; } })
            .Where(c => c.Contains(text, StringComparison.Ordinal))];
}
