using PetSeg.Tests.Support;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;

namespace PetSeg.Tests.Workflow.Comparison;

/// <summary>
/// A stage's <c>resolved:</c> parameters (what its inputs decided: a refit's chosen settings) survive the lock file's
/// round trip and are what <c>exp show</c> and <c>params diff</c> compare, over the declared ones.
/// </summary>
public sealed class ResolvedParamsTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static readonly ComparisonSchema Schema = new("train", "evaluate", [new MetricColumn("mean_iou", false)]);

    private static LockedStage Refit(string lr, string chosen) => new()
    {
        Key = "xxh128:00", Code = "train-3",
        Params = new(StringComparer.Ordinal) { ["refit"] = "sweep" },
        Resolved = new(StringComparer.Ordinal) { ["lr"] = lr, ["chosen"] = chosen, ["epochs"] = "12" },
    };

    private PipelineLock RoundTrip(PipelineLock l)
    {
        var path = _dir["pipeline.lock"];
        l.Write(path);
        return PipelineLock.Read(path);
    }

    [Fact]
    public void Resolved_parameters_round_trip_and_are_shown_and_diffed_as_parameters()
    {
        var before = RoundTrip(new PipelineLock { Stages = { ["train-sweep-refit"] = Refit("0.003", "sweep-1 (lr=0.003)"),
            ["train-plain"] = new LockedStage { Key = "xxh128:01", Code = "train-3", Params = new(StringComparer.Ordinal) { ["lr"] = "0.001", ["epochs"] = "12" } } } });
        Assert.Contains("    resolved:\n      chosen: sweep-1 (lr=0.003)\n", File.ReadAllText(_dir["pipeline.lock"]));
        Assert.Equal("0.003", before.Stages["train-sweep-refit"].Resolved!["lr"]);
        Assert.Null(before.Stages["train-plain"].Resolved); // only stages that have some write the block

        var table = ExperimentTable.FromLock(before, Schema);
        Assert.Equal(["chosen", "lr", "refit"], table.ParamColumns); // epochs is 12 for both: not shown
        Assert.Equal("0.003", table.Rows.Single(r => r.Id == "sweep-refit").Params["lr"]);

        var after = RoundTrip(new PipelineLock { Stages = { ["train-sweep-refit"] = Refit("0.001", "sweep-2 (lr=0.001)"), ["train-plain"] = before.Stages["train-plain"] } });
        var diff = LockDiff.Params(before, after);
        Assert.Equal([("chosen", "sweep-1 (lr=0.003)", "sweep-2 (lr=0.001)"), ("lr", "0.003", "0.001")],
            diff.Select(d => (d.Name, d.Old, d.New)));
        Assert.All(diff, d => Assert.Equal("train-sweep-refit", d.Subject));
    }

    [Fact]
    public void How_an_experiment_was_scored_is_a_column_when_it_differs_between_rows_that_trained_alike()
    {
        static LockedStage Stage(string code, params (string K, string V)[] p) => new() { Key = "xxh128:02", Code = code, Params = new(p.ToDictionary(x => x.K, x => x.V), StringComparer.Ordinal) };
        var l = new PipelineLock { Stages =
        {
            ["train-a"] = Stage("train-3", ("lr", "0.001")), ["evaluate-a"] = Stage("evaluate-3", ("batch_size", "16")),
            ["train-b"] = Stage("train-3", ("lr", "0.001")), ["evaluate-b"] = Stage("evaluate-3", ("batch_size", "16"), ("tta", "hflip")),
        } };
        var schema = Schema with { MetricsParams = new Dictionary<string, string> { ["tta"] = "tta", ["precision"] = "eval_precision" } };
        var table = ExperimentTable.FromLock(l, schema);
        Assert.Equal(["tta"], table.ParamColumns); // lr is the same for both; batch_size is not a scoring parameter
        Assert.Equal(["-", "hflip"], table.Cells().Select(r => r[1]));
        Assert.Empty(ExperimentTable.FromLock(l, Schema).ParamColumns); // without the schema's say, the rows look alike
    }

    public void Dispose() => _dir.Dispose();
}
