using PetSeg.Core;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Runner;
using PetSeg.Pipeline.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Pipeline.Remote;

/// <summary>
/// The run-cache across two workspaces through a folder remote: A computes and pushes; B, with the same
/// pipeline.yaml, computes nothing and writes the same report; damaged or unreachable remotes never poison a run.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class RemoteRunCacheTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Workspace(string name, string remoteUrl, string extra = "")
    {
        var ws = _dir[name];
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, "pipeline.yaml"), TinyPipeline.Yaml + $"\nremotes:\n  team: {{ url: \"{remoteUrl}\"{extra} }}\nremote: team\n");
        return ws;
    }

    private static PipelineRunner Runner(string ws, bool push = false, IProgressSink? ui = null)
    {
        var config = PipelineConfigLoader.Load(Path.Combine(ws, "pipeline.yaml"));
        return new PipelineRunner(config, ui ?? NullProgressSink.Instance, remote: new RemoteUse(config.Remotes.Select(null, config.File)!, push));
    }

    [Fact]
    public void A_second_workspace_pulls_every_result_and_writes_the_same_report()
    {
        var remote = new Uri(_dir["remote"]).AbsoluteUri;
        Directory.CreateDirectory(_dir["remote"]);
        var a = Workspace("a", remote);
        var first = Runner(a, push: true).Run("report");
        Assert.All(first, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        Assert.NotEmpty(Directory.GetFiles(_dir["remote/stages"]));

        var b = Workspace("b", remote);
        var second = Runner(b).Run("report");
        Assert.All(second, r => Assert.Equal(StageOutcome.Pulled, r.Outcome)); // zero stages executed
        Assert.Equal(first.Select(r => r.Key), second.Select(r => r.Key));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "out/report/report.md")), File.ReadAllBytes(Path.Combine(b, "out/report/report.md")));
        Assert.All(Runner(b).Run("report"), r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));

        // Pushing again sends nothing: every result is already there.
        Assert.All(Runner(a).Push([]), r => Assert.True(r.AlreadyThere));
    }

    [Fact]
    public void A_corrupted_object_is_named_not_used_and_the_stage_is_computed_locally()
    {
        var remote = new Uri(_dir["remote"]).AbsoluteUri;
        Directory.CreateDirectory(_dir["remote"]);
        var a = Workspace("a", remote);
        Runner(a, push: true).Run("train-tiny");
        var trainKey = PipelineLock.Read(Path.Combine(a, "pipeline.lock")).Stages["train-tiny"].Key;
        // Flip a byte in the largest object (the weights), size kept.
        var victim = Directory.EnumerateFiles(_dir["remote/cas"], "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(victim, bytes);

        var b = Workspace("b", remote);
        var ui = new TinyPipeline.Lines();
        var runs = Runner(b, ui: ui).Run("train-tiny");
        Assert.Equal(StageOutcome.Executed, runs.Single(r => r.Stage == "train-tiny").Outcome);
        Assert.Equal(trainKey, runs.Single(r => r.Stage == "train-tiny").Key);
        Assert.Contains(ui.All, l => l.Contains("train-tiny:", StringComparison.Ordinal) && l.Contains(Path.GetFileName(victim), StringComparison.Ordinal) && l.Contains("corrupted", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(b, "out/store/tmp")));
    }

    [Fact]
    public void An_unreachable_remote_warns_and_works_locally_unless_it_is_required()
    {
        var missing = new Uri(_dir["not-mounted"]).AbsoluteUri;
        var a = Workspace("a", missing);
        var ui = new TinyPipeline.Lines();
        var runs = Runner(a, push: true, ui: ui).Run("preprocess");
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        Assert.Single(ui.All, l => l.StartsWith("warning: remote 'team' cannot be used", StringComparison.Ordinal)); // once, not per stage

        var b = Workspace("b", missing, ", required: true");
        var e = Assert.Throws<PetSeg.Pipeline.Graph.PipelineException>(() => Runner(b).Run("preprocess"));
        Assert.Contains("remote 'team' is required", e.Message);
        Assert.Contains("--no-remote", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
