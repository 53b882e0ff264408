using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Workflow.Runner;
using PetSeg.Workflow.Stages;

namespace PetSeg.Workflow.Cluster;

/// <summary>
/// Submits the stale stages of a target to Slurm, one job per stage, each running <c>petseg run &lt;stage&gt;
/// --exclusive</c> on the shared store, chained with <c>--dependency=afterok</c> and <c>--kill-on-invalid-dep=yes</c>
/// (a failed training cancels its evaluation and the report instead of leaving them pending). Fresh stages are not
/// submitted; a stage already queued or running from this workspace is not submitted again, its job is depended on.
/// </summary>
/// <param name="petsegCommand">How a job starts this program (e.g. <c>dotnet /path/PetSeg.Cli.dll</c>).</param>
/// <param name="commandOptions">Options every job's command repeats (config, profile, remote).</param>
public sealed class ClusterSubmitter(ClusterConfig cluster, PipelineRunner runner, SlurmClient slurm,
    IReadOnlyList<string> petsegCommand, IReadOnlyList<string> commandOptions, IProgressSink ui)
{
    /// <summary>Job names of this workspace start with this (a digest of its artifacts folder), then the stage id.</summary>
    public static string JobPrefix(Workspace workspace) =>
        "petseg-" + Digest.OfBytes(System.Text.Encoding.UTF8.GetBytes(workspace.ArtifactsDir + "|" + workspace.Profile))[7..15] + "-";

    public Submission Submit(string target)
    {
        var workspace = runner.Workspace;
        if (cluster.Engine != "slurm")
            throw new ConfigException($"{workspace.ConfigFile}: cluster.engine is '{cluster.Engine}'; set cluster: {{ engine: slurm, ... }} to submit jobs");
        // Stages fresh on the remote are pulled here instead of submitted.
        var status = runner.PullWhatTheRemoteHas(target).ToDictionary(s => s.Stage, StringComparer.Ordinal);
        var plan = runner.Graph.Closure(target).Where(s => status[s.Id].State == Freshness.Stale).ToList();
        var prefix = JobPrefix(workspace);
        var active = slurm.Named(prefix).Where(j => j.IsActive).GroupBy(j => j.Name[prefix.Length..]).ToDictionary(g => g.Key, g => g.First());

        var id = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss") + "-" + Guid.NewGuid().ToString("N")[..4];
        var folder = Path.Combine(Submission.Root(workspace.ArtifactsDir), id);
        Directory.CreateDirectory(folder);
        var jobs = new List<SubmittedJob>();
        var jobOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stage in plan)
        {
            var script = Path.Combine(folder, stage.Id + ".sh");
            var log = Path.Combine(folder, stage.Id + ".log");
            var resources = ResourcesFor(stage, cluster);
            var deps = stage.DependsOn.Where(jobOf.ContainsKey).ToList();
            if (active.TryGetValue(stage.Id, out var running))
            {
                jobOf[stage.Id] = running.Id;
                jobs.Add(new SubmittedJob(stage.Id, running.Id, script, log, resources.ToString(), deps, Reused: true));
                ui.Info($"{stage.Id}: already {running.State.ToLowerInvariant()} as job {running.Id}; not submitted again");
                continue;
            }
            AtomicFile.WriteAllText(script, JobScript.Render(stage.Id, prefix + stage.Id, log, cluster, resources,
                [.. petsegCommand, "run", stage.Id, "--exclusive", .. commandOptions], Directory.GetCurrentDirectory(), EnvironmentFor(stage, workspace.Compute)));
            var options = deps.Count == 0 ? new List<string>()
                : ["--dependency=afterok:" + string.Join(':', deps.Select(d => jobOf[d])), "--kill-on-invalid-dep=yes"];
            var jobId = slurm.Submit(script, options);
            jobOf[stage.Id] = jobId;
            jobs.Add(new SubmittedJob(stage.Id, jobId, script, log, resources.ToString(), deps, Reused: false));
        }
        var submission = new Submission(id, target, DateTimeOffset.UtcNow, jobs);
        submission.Save(workspace.ArtifactsDir);
        return submission;
    }

    /// <summary>
    /// What a job's process needs before libtorch starts: on CUDA with <c>compute.deterministic</c>, cuBLAS's fixed
    /// workspace (PyTorch's reproducibility notes: without it cuBLAS may pick non-deterministic reductions).
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> EnvironmentFor(Stage stage, ComputeConfig compute) =>
        stage.Computes && DeviceChoice.IsCuda(stage.DeviceSetting) && compute.Deterministic
            ? [("CUBLAS_WORKSPACE_CONFIG", ":4096:8")] : [];

    /// <summary>
    /// A stage's Slurm resources: its own, its kind's, the defaults; a stage that computes on CUDA asks for a GPU
    /// (<c>--gres=gpu:1</c>) unless <c>cluster:</c> says how (a stage on <c>auto</c> may land anywhere and asks nothing).
    /// </summary>
    public static ClusterResources ResourcesFor(Stage stage, ClusterConfig cluster)
    {
        var resources = cluster.For(stage.Kind, cluster.ByStage.GetValueOrDefault(stage.Id));
        return stage.Computes && DeviceChoice.IsCuda(stage.DeviceSetting) && resources.Gres is null
            ? resources with { Gres = "gpu:1" } : resources;
    }
}
