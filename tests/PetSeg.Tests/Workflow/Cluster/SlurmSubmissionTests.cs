using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Workflow.Cluster;
using PetSeg.Workflow.Runner;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Cluster;

/// <summary>
/// The tiny DAG on a real one-node Slurm cluster (slurmctld + slurmd on localhost): one job per stale stage, in
/// dependency order, results byte-identical to a local run; resubmission submits nothing, a changed lr exactly its
/// three stages; a failing stage ends non-zero, cancels its dependents and publishes nothing; racing submissions
/// compute a stage once.
/// </summary>
// Outside the torch collection: everything computes in petseg processes, so it runs beside other tests.
[Trait("Category", "Slow")]
public sealed class SlurmSubmissionTests : IClassFixture<SlurmCluster>, IDisposable
{
    private readonly TempDir _dir = new();

    private const string Cluster = "\ncluster: { engine: slurm, defaults: { cpus_per_task: 1, mem: 1000M, time: \"00:30:00\" } }\n";

    private string Workspace(string name, string yaml)
    {
        var ws = _dir[name];
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, "pipeline.yaml"), yaml);
        return ws;
    }

    private static (int Exit, string Output) Petseg(string ws, params string[] args) =>
        CliProcess.Run([.. args, "--config", Path.Combine(ws, "pipeline.yaml")]);

    private static Submission Latest(string ws) => Submission.Latest(Path.Combine(ws, "out"))!;

    [Fact]
    public void The_dag_runs_as_jobs_in_dependency_order_and_equals_a_local_run()
    {
        // A folder as people name theirs: sbatch splits #SBATCH lines at spaces and reads % in --output as a pattern.
        var cluster = Workspace("my lab, 100% é", TinyPipeline.Yaml + Cluster);
        var (exit, log) = Petseg(cluster, "submit", "report", "--wait", "--poll", "0.5");
        Assert.True(exit == 0, log);
        var submission = Latest(cluster);
        Assert.Equal(8, submission.Jobs.Count); // download, weights, preprocess, 2 × (train, evaluate), report
        Assert.All(submission.Jobs, j => Assert.False(j.Reused));

        // Dependency order from the jobs' own start and end times.
        var times = SlurmCluster.Times(submission.Jobs.Select(j => j.JobId));
        var byStage = submission.Jobs.ToDictionary(j => j.Stage, j => times[j.JobId]);
        Assert.All(byStage.Values, t => Assert.Equal("COMPLETED", t.State));
        foreach (var job in submission.Jobs)
            foreach (var dep in job.DependsOn)
                Assert.True(byStage[job.Stage].Start >= byStage[dep].End, $"{job.Stage} started {byStage[job.Stage].Start:T} before {dep} ended {byStage[dep].End:T}");
        // Readable job scripts and logs, with plain progress lines (no terminal control characters).
        var trainLog = File.ReadAllText(submission.Jobs.Single(j => j.Stage == "train-tiny").Log);
        Assert.Contains("train-tiny: running", trainLog);
        Assert.DoesNotContain('\u001b', trainLog);
        Assert.Contains("#SBATCH --mem=1000M", File.ReadAllText(submission.Jobs[0].Script));
        Assert.Contains($"#SBATCH --output=\"{cluster.Replace("%", "%%")}/out/cluster/", File.ReadAllText(submission.Jobs[0].Script));
        Assert.StartsWith(Path.Combine(cluster, "out"), submission.Jobs[0].Log); // and the train log above was read there: % and all
        // This cluster binds no job to its CPU (TaskPlugin=task/none): the script sizes libtorch's threads to the CPU asked for.
        Assert.Contains("export OMP_NUM_THREADS=\"${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}\"\n", File.ReadAllText(submission.Jobs[0].Script));
        Assert.Contains(", 1 CPU thread(s); kernels: ", trainLog); // and libtorch took that many

        // The same results as a local run on as many threads, byte for byte — by a user whose locale writes "0,5"
        // (it used to put that on the charts' axes and in the training log).
        var local = Workspace("local", TinyPipeline.Yaml);
        (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1", ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8" },
            "run", "report", "--config", Path.Combine(local, "pipeline.yaml"));
        Assert.True(exit == 0, log);
        // Every stage's key and every output's digest (the training logs aside: they hold the time they ran).
        static string[] Lock(string ws) => File.ReadAllLines(Path.Combine(ws, "pipeline.lock")).Where(l => !l.TrimStart().StartsWith("train.log:", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Lock(local), Lock(cluster));
        foreach (var name in new[] { "metrics.json" })
        {
            var a = Directory.EnumerateFiles(Path.Combine(cluster, "out/store/objects"), name, SearchOption.AllDirectories).Select(File.ReadAllBytes).OrderBy(Convert.ToBase64String).ToList();
            var b = Directory.EnumerateFiles(Path.Combine(local, "out/store/objects"), name, SearchOption.AllDirectories).Select(File.ReadAllBytes).OrderBy(Convert.ToBase64String).ToList();
            Assert.Equal(b, a);
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(local, "out/report/report.md")), File.ReadAllBytes(Path.Combine(cluster, "out/report/report.md")));

        // Nothing stale: nothing submitted. One lr changed: exactly its train, evaluate and the report.
        (exit, log) = Petseg(cluster, "submit", "report");
        Assert.True(exit == 0, log);
        Assert.Contains("nothing to submit", log);
        File.WriteAllText(Path.Combine(cluster, "pipeline.yaml"), (TinyPipeline.Yaml + Cluster).Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.002 }"));
        (exit, log) = Petseg(cluster, "submit", "report"); // what is submitted is the point; running them again proves nothing new
        Assert.True(exit == 0, log);
        Assert.Equal(["evaluate-tiny", "report", "train-tiny"], Latest(cluster).Jobs.Select(j => j.Stage).Order());
        (exit, log) = Petseg(cluster, "cancel");
        Assert.True(exit == 0, log);
    }

    [Fact]
    public void A_failing_stage_fails_the_wait_cancels_its_dependents_and_publishes_nothing()
    {
        // The encoder weights come from a URL nothing answers: the weights stage fails after one attempt.
        var yaml = TinyPipeline.Yaml
            .Replace("weights: { source: synthetic }", "weights: { source: imagenet, files: { mit_b0: { urls: [\"http://127.0.0.1:9/none.pth\"] } } }")
            .Replace("dataset: { source: synthetic,", "dataset: { download: { max_attempts: 1 }, source: synthetic,");
        var ws = Workspace("failing", yaml + Cluster);
        var (exit, log) = Petseg(ws, "submit", "report", "--wait", "--poll", "0.5");
        Assert.Equal(1, exit);
        Assert.Contains("error: stage weights failed", log);
        Assert.Contains("127.0.0.1:9", log); // the log tail shows why
        var times = SlurmCluster.Times(Latest(ws).Jobs.Select(j => j.JobId));
        var state = Latest(ws).Jobs.ToDictionary(j => j.Stage, j => times.TryGetValue(j.JobId, out var t) ? t.State : "gone");
        Assert.Equal("FAILED", state["weights"]);
        Assert.All(new[] { "train-untrained", "evaluate-untrained", "report" }, s => Assert.Equal("CANCELLED", state[s]));
        var status = LabPipeline.Runner(PipelineConfigLoader.Load(Path.Combine(ws, "pipeline.yaml")), NullProgressSink.Instance).Status().ToDictionary(s => s.Stage);
        Assert.Equal(Freshness.Stale, status["weights"].State);
        Assert.Equal(Freshness.Fresh, status["train-tiny"].State); // the independent branch finished
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(ws, "out/store/tmp")));
    }

    [Fact]
    public void Stages_fresh_on_a_remote_are_pulled_not_submitted()
    {
        Directory.CreateDirectory(_dir["remote"]);
        var remote = $"\nremotes:\n  team: {{ url: \"{new Uri(_dir["remote"]).AbsoluteUri}\" }}\nremote: team\n";
        var a = Workspace("a", TinyPipeline.Yaml + remote);
        var (exit, log) = Petseg(a, "run", "train-tiny", "--push");
        Assert.True(exit == 0, log);

        var b = Workspace("b", TinyPipeline.Yaml + remote + Cluster);
        (exit, log) = Petseg(b, "submit", "evaluate-tiny", "--wait", "--poll", "0.5"); // needs download, preprocess, train-tiny: all on the remote
        Assert.True(exit == 0, log);
        Assert.Contains("train-tiny: fresh on the remote; pulling it instead of submitting a job", log);
        var submitted = Latest(b).Jobs.Select(j => j.Stage).ToList();
        Assert.DoesNotContain("train-tiny", submitted);
        Assert.DoesNotContain("preprocess", submitted);
        Assert.Equal(["evaluate-tiny"], submitted);
    }

    [Fact]
    public void Status_shows_queued_jobs_a_resubmission_reuses_them_and_cancel_stops_them()
    {
        var ws = Workspace("queued", TinyPipeline.Yaml + Cluster);
        var (exit, log) = Petseg(ws, "submit", "report");
        Assert.True(exit == 0, log);
        var first = Latest(ws);
        (exit, log) = Petseg(ws, "status");
        Assert.True(exit == 0, log);
        Assert.Contains("on the cluster: job", log);
        Assert.Contains("[pending on the cluster: job " + first.Jobs.Single(j => j.Stage == "report").JobId + "]", log);

        (exit, log) = Petseg(ws, "submit", "report");
        Assert.True(exit == 0, log);
        Assert.Contains("report: already pending as job", log);
        Assert.Contains(Latest(ws).Jobs, j => j.Reused);

        (exit, log) = Petseg(ws, "cancel");
        Assert.True(exit == 0, log);
        Assert.Matches(@"cancel: [1-9]\d* job\(s\)", log);
        // Slurm applies a cancel asynchronously: wait (up to 20 s) until no job is pending or running any more.
        var times = SlurmCluster.Times(first.Jobs.Select(j => j.JobId));
        for (var deadline = DateTime.UtcNow.AddSeconds(20); times.Values.Any(t => t.State is "PENDING" or "RUNNING" or "COMPLETING") && DateTime.UtcNow < deadline;)
        {
            Thread.Sleep(200);
            times = SlurmCluster.Times(first.Jobs.Select(j => j.JobId));
        }
        Assert.Equal("CANCELLED", times[first.Jobs.Single(j => j.Stage == "report").JobId].State);
        Assert.DoesNotContain(times.Values, t => t.State is "PENDING" or "RUNNING");
        Assert.Equal(Freshness.Stale, LabPipeline.Runner(PipelineConfigLoader.Load(Path.Combine(ws, "pipeline.yaml")), NullProgressSink.Instance)
            .Status().Single(st => st.Stage == "report").State);
    }

    [Fact]
    public async Task Racing_submissions_compute_each_stage_once()
    {
        var ws = Workspace("race", TinyPipeline.Yaml + Cluster);
        var both = await Task.WhenAll(
            Task.Run(() => Petseg(ws, "submit", "train-tiny", "--wait", "--poll", "0.5")),
            Task.Run(() => Petseg(ws, "submit", "train-tiny", "--wait", "--poll", "0.5")));
        Assert.All(both, r => Assert.True(r.Exit == 0, r.Output));
        var logs = Directory.EnumerateFiles(Path.Combine(ws, "out/cluster"), "train-tiny.log", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        Assert.Equal(1, logs.Sum(l => TestText.CountOf(l, "train-tiny: running (key")));
    }

    /// <summary>
    /// <c>requeue: true</c>: a training told that its time limit is near (the USR1 Slurm sends <c>--signal</c>'s lead
    /// before the limit) stops at the end of its step, requeues its own job, and the job resumes after the last complete
    /// epoch and publishes the result.
    /// </summary>
    [Fact]
    public void A_job_told_its_time_limit_is_near_stops_requeues_itself_and_resumes()
    {
        var ws = Workspace("requeue", """
            artifacts: out
            dataset: { source: synthetic, synthetic: { count: 120, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
            preprocess: { image_size: 32 }
            experiments:
              victim: { model: simple-unet, lr: 0.001, epochs: 20, augment: true }
            cluster: { engine: slurm, requeue: true, defaults: { cpus_per_task: 1, mem: 1000M, time: "00:30:00" } }
            """);
        var (exit, log) = Petseg(ws, "submit", "train-victim");
        Assert.True(exit == 0, log);
        Assert.Contains("requeue: a job 120 s from its time limit stops at the end of its step and requeues itself", log);
        var job = Latest(ws).Jobs.Single(j => j.Stage == "train-victim");
        var script = File.ReadAllText(job.Script);
        Assert.Contains("#SBATCH --requeue\n#SBATCH --signal=B:USR1@120\n#SBATCH --open-mode=append\n", script);

        // Signalled in its first epoch, after its first step: 79 steps of 16 images at 32² on one core remain for `status`
        // and the signal, ~10 s on an AMD Zen 5 (with 6 epochs, 3 s, the training once finished first under the whole
        // suite's load); the stop comes at the end of a step, the resume at the next batch.
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (DateTime.UtcNow < deadline && !(File.Exists(job.Log) && File.ReadAllText(job.Log).Contains("batch 1/4 loss"))) Thread.Sleep(50);
        // status shows how far the running job is, from its log.
        (exit, log) = Petseg(ws, "status");
        Assert.True(exit == 0, log);
        Assert.Matches($@"STALE  train-victim  \[running on the cluster: job {job.JobId}, epoch \d+/20", log);
        Assert.True(File.Exists(job.Log) && !File.ReadAllText(job.Log).Contains("epoch 20/20: train loss"), "training finished before it could be signalled");
        SlurmCluster.Signal(job.JobId, "USR1");

        while (DateTime.UtcNow < deadline && SlurmCluster.Times([job.JobId])[job.JobId].State is not ("COMPLETED" or "FAILED" or "CANCELLED")) Thread.Sleep(200);
        var text = File.ReadAllText(job.Log);
        Assert.True(SlurmCluster.Times([job.JobId])[job.JobId].State == "COMPLETED", text);
        Assert.Contains($"petseg: the time limit is near: stopping to requeue job {job.JobId}", text);
        Assert.Contains($"petseg: requeueing job {job.JobId} (restart 0)", text);
        Assert.True(text.Contains("resuming after epoch"), text);
        Assert.Equal(Freshness.Fresh, LabPipeline.Runner(PipelineConfigLoader.Load(Path.Combine(ws, "pipeline.yaml")), NullProgressSink.Instance)
            .Status().Single(st => st.Stage == "train-victim").State);
    }

    public void Dispose()
    {
        SlurmCluster.CancelAllAndWait(TimeSpan.FromSeconds(30)); // no job of this test writes into its folders once they are gone
        _dir.Dispose();
    }
}
