using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Workflow.Remote;
using PetSeg.Workflow.Runner;
using PetSeg.Workflow.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Remote;

/// <summary>
/// The run-cache across two workspaces, on every backend (folder, S3 on moto_server, HTTP cache on nginx): A computes
/// and pushes; B, with the same pipeline.yaml, computes nothing and writes the same report; a damaged object or an
/// unreachable remote never poisons a run.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class RemoteRunCacheTests(RemoteBackends backends) : IClassFixture<RemoteBackends>, IDisposable
{
    private readonly TempDir _dir = new();
    public static TheoryData<string> Kinds => RemoteBackends.Kinds;

    private string Workspace(string name, RemoteConfig remote)
    {
        var ws = _dir[name];
        Directory.CreateDirectory(ws);
        File.WriteAllText(Path.Combine(ws, "pipeline.yaml"), TinyPipeline.Yaml + RemoteBackends.Yaml(remote));
        return ws;
    }

    private static PipelineRunner Runner(string ws, bool push = false, IProgressSink? ui = null)
    {
        var config = PipelineConfigLoader.Load(Path.Combine(ws, "pipeline.yaml"));
        return LabPipeline.Runner(config, ui ?? NullProgressSink.Instance, remote: new RemoteUse(config.Remotes.Select(null, config.File)!, push));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_second_workspace_pulls_every_result_and_writes_the_same_report(string kind)
    {
        var remote = backends.Config(kind);
        var a = Workspace("a", remote);
        var first = Runner(a, push: true).Run("report");
        Assert.All(first, r => Assert.Equal(StageOutcome.Executed, r.Outcome));

        var b = Workspace("b", remote);
        var second = Runner(b).Run("report");
        Assert.All(second, r => Assert.Equal(StageOutcome.Pulled, r.Outcome)); // zero stages executed
        Assert.Equal(first.Select(r => r.Key), second.Select(r => r.Key));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "out/report/report.md")), File.ReadAllBytes(Path.Combine(b, "out/report/report.md")));
        Assert.All(Runner(b).Run("report"), r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));
        Assert.All(Runner(a).Push([]), r => Assert.True(r.AlreadyThere)); // pushing again sends nothing

        // `petseg pull` by pipeline.lock's keys into a third workspace (the lock committed, the store empty).
        var c = Workspace("c", remote);
        File.Copy(Path.Combine(a, "pipeline.lock"), Path.Combine(c, "pipeline.lock"));
        var pulled = Runner(c).Pull([]);
        Assert.All(pulled, p => Assert.Equal("pulled", p.Outcome));
        Assert.All(Runner(c).Run("report"), r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_corrupted_object_is_named_not_used_and_the_stage_is_computed_locally(string kind)
    {
        var remote = backends.Config(kind);
        var a = Workspace("a", remote);
        Runner(a, push: true).Run("train-tiny");
        var entry = PipelineLock.Read(Path.Combine(a, "pipeline.lock")).Stages["train-tiny"];
        // Flip one byte of the weights object on the remote itself (size kept).
        var weights = Directory.EnumerateFiles(Path.Combine(a, "out/store/objects"), "model.safetensors", SearchOption.AllDirectories).Single();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(weights)));
        var bytes = File.ReadAllBytes(weights);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(_dir["rotten"], bytes);
        using (var storage = RemoteBackends.Open(remote))
            await storage.PutAsync(StageRecord.ObjectKey(sha), _dir["rotten"], _ => { }, CancellationToken.None);

        var b = Workspace("b", remote);
        var ui = new ProgressLines();
        var runs = Runner(b, ui: ui).Run("train-tiny");
        Assert.Equal(StageOutcome.Executed, runs.Single(r => r.Stage == "train-tiny").Outcome);
        Assert.Equal(entry.Key, runs.Single(r => r.Stage == "train-tiny").Key);
        Assert.Contains(ui.All, l => l.StartsWith("train-tiny:", StringComparison.Ordinal) && l.Contains($"cas/{sha[..2]}/{sha}", StringComparison.Ordinal) && l.Contains("corrupted", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(b, "out/store/tmp")));
        Assert.Equal(File.ReadAllBytes(weights), File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(b, "out/store/objects"), "model.safetensors", SearchOption.AllDirectories).Single()));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void An_unreachable_remote_warns_once_and_works_locally_unless_it_is_required(string kind)
    {
        var closedPort = $"http://127.0.0.1:{TestText.FreePort()}";
        RemoteConfig Down(bool required) => kind switch
        {
            "folder" => new RemoteConfig("team", new Uri(_dir["not-mounted"]).AbsoluteUri, Required: required),
            "s3" => new RemoteConfig("team", "s3://petseg/x", Endpoint: closedPort, Required: required),
            _ => new RemoteConfig("team", closedPort + "/petseg", Required: required),
        };
        var a = Workspace("a", Down(false));
        var ui = new ProgressLines();
        var runs = Runner(a, push: true, ui: ui).Run("preprocess");
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        Assert.Single(ui.All, l => l.StartsWith("warning: remote 'team' cannot be used", StringComparison.Ordinal)); // once, not per stage

        var b = Workspace("b", Down(true));
        var e = Assert.Throws<PetSeg.Workflow.Graph.PipelineException>(() => Runner(b).Run("preprocess"));
        Assert.Contains("remote 'team' is required", e.Message);
        Assert.Contains("--no-remote", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
