using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Runner;
using PetSeg.Pipeline.Stages;

namespace PetSeg.Pipeline.Cluster;

/// <summary>
/// Submits the stale stages of a target to Slurm, one job per stage, each running <c>petseg run &lt;stage&gt;
/// --exclusive</c> on the shared store, chained with <c>--dependency=afterok</c> and <c>--kill-on-invalid-dep=yes</c>
/// (a failed training cancels its evaluation and the report instead of leaving them pending). Fresh stages are not
/// submitted; a stage already queued or running from this workspace is not submitted again, its job is depended on.
/// </summary>
/// <param name="petsegCommand">How a job starts this program (e.g. <c>dotnet /path/PetSeg.Cli.dll</c>).</param>
/// <param name="commandOptions">Options every job's command repeats (config, profile, remote).</param>
public sealed class ClusterSubmitter(PipelineConfig config, PipelineRunner runner, SlurmClient slurm,
    IReadOnlyList<string> petsegCommand, IReadOnlyList<string> commandOptions, IProgressSink ui)
{
    /// <summary>Job names of this workspace start with this (a digest of its artifacts folder), then the stage id.</summary>
    public static string JobPrefix(PipelineConfig config) =>
        "petseg-" + Digest.OfBytes(System.Text.Encoding.UTF8.GetBytes(config.ArtifactsDir + "|" + config.Profile))[7..15] + "-";

    /// <summary>
    /// Stages fresh on the remote are not submitted: they are pulled here, one after another (a pulled stage makes the
    /// keys of its dependents known, which may be on the remote too). Returns the status after that.
    /// </summary>
    private Dictionary<string, StageStatus> PullWhatTheRemoteHas(string target)
    {
        while (true)
        {
            var status = runner.Status().ToDictionary(s => s.Stage, StringComparer.Ordinal);
            var onRemote = runner.Graph.Closure(target)
                .FirstOrDefault(s => status[s.Id] is { State: Freshness.Stale, Key: { } key } && runner.RemoteHas(key));
            if (onRemote is null) return status;
            ui.Info($"{onRemote.Id}: fresh on the remote; pulling it instead of submitting a job");
            runner.Run(onRemote.Id, exclusive: true);
        }
    }

    public Submission Submit(string target)
    {
        if (config.Cluster.Engine != "slurm")
            throw new ConfigException($"{config.File}: cluster.engine is '{config.Cluster.Engine}'; set cluster: {{ engine: slurm, ... }} to submit jobs");
        var status = PullWhatTheRemoteHas(target);
        var plan = runner.Graph.Closure(target).Where(s => status[s.Id].State == Freshness.Stale).ToList();
        var prefix = JobPrefix(config);
        var active = slurm.Named(prefix).Where(j => j.IsActive).GroupBy(j => j.Name[prefix.Length..]).ToDictionary(g => g.Key, g => g.First());

        var id = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss") + "-" + Guid.NewGuid().ToString("N")[..4];
        var folder = Path.Combine(Submission.Root(config.ArtifactsDir), id);
        Directory.CreateDirectory(folder);
        var jobs = new List<SubmittedJob>();
        var jobOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stage in plan)
        {
            var script = Path.Combine(folder, stage.Id + ".sh");
            var log = Path.Combine(folder, stage.Id + ".log");
            var resources = ResourcesFor(stage, config);
            var deps = stage.DependsOn.Where(jobOf.ContainsKey).ToList();
            if (active.TryGetValue(stage.Id, out var running))
            {
                jobOf[stage.Id] = running.Id;
                jobs.Add(new SubmittedJob(stage.Id, running.Id, script, log, resources.ToString(), deps, Reused: true));
                ui.Info($"{stage.Id}: already {running.State.ToLowerInvariant()} as job {running.Id}; not submitted again");
                continue;
            }
            AtomicFile.WriteAllText(script, JobScript.Render(stage.Id, prefix + stage.Id, log, config.Cluster, resources,
                [.. petsegCommand, "run", stage.Id, "--exclusive", .. commandOptions], Directory.GetCurrentDirectory(), EnvironmentFor(stage, config)));
            var options = deps.Count == 0 ? new List<string>()
                : ["--dependency=afterok:" + string.Join(':', deps.Select(d => jobOf[d])), "--kill-on-invalid-dep=yes"];
            var jobId = slurm.Submit(script, options);
            jobOf[stage.Id] = jobId;
            jobs.Add(new SubmittedJob(stage.Id, jobId, script, log, resources.ToString(), deps, Reused: false));
        }
        var submission = new Submission(id, target, DateTimeOffset.UtcNow, jobs);
        submission.Save(config.ArtifactsDir);
        return submission;
    }

    /// <summary>
    /// A stage's Slurm resources: the experiment's, its kind's, the defaults; a stage that computes on CUDA asks for a
    /// GPU (<c>--gres=gpu:1</c>) unless <c>cluster:</c> says how (a stage on <c>auto</c> may land anywhere and asks nothing).
    /// </summary>
    /// <summary>
    /// What a job's process needs before libtorch starts: on CUDA with <c>compute.deterministic</c>, cuBLAS's fixed
    /// workspace (PyTorch's reproducibility notes: without it cuBLAS may pick non-deterministic reductions).
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> EnvironmentFor(Stage stage, PipelineConfig config) =>
        stage.Computes && DeviceChoice.IsCuda(stage.DeviceSetting) && config.Compute.Deterministic
            ? [("CUBLAS_WORKSPACE_CONFIG", ":4096:8")] : [];

    public static ClusterResources ResourcesFor(Stage stage, PipelineConfig config)
    {
        var experiment = config.Experiments.FirstOrDefault(e => stage.Id == StageIds.Train(e.Id) || stage.Id == StageIds.Evaluate(e.Id));
        var resources = config.Cluster.For(stage.Kind, experiment?.Cluster);
        return stage.Computes && DeviceChoice.IsCuda(stage.DeviceSetting) && resources.Gres is null
            ? resources with { Gres = "gpu:1" } : resources;
    }
}
