using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class RunSettings : PipelineSettings
{
    [CommandArgument(0, "[TARGET]")]
    [Description("A stage (download, weights, preprocess, train-<exp>, evaluate-<exp>, report) or a group (train, evaluate). Default: report.")]
    public string Target { get; init; } = "report";

    [CommandOption("--exclusive")]
    [Description("Run only TARGET itself; its inputs must already be published (e.g. after changing one parameter).")]
    public bool Exclusive { get; init; }

    [CommandOption("-f|--force")]
    [Description("Rerun TARGET even when its result is in the store.")]
    public bool Force { get; init; }

    [CommandOption("--check")]
    [Description("Compute TARGET again from its published inputs and compare every output with the stored result, byte for byte; the stored result stays. Exit 1 if it is not reproduced (a training stops at the first batch whose loss differs, and names it). The data stages compute into a folder of their own, so the files in artifacts/data stay.")]
    public bool Check { get; init; }

    [CommandOption("--upstream")]
    [Description("With --check: also check every stage TARGET needs, upstream first (for report, the whole DAG: does this machine reproduce every stored result?).")]
    public bool Upstream { get; init; }

    [CommandOption("-j|--jobs <N>")]
    [Description("Run up to N stages at once, each in a process of its own, as soon as what it needs is done (default 1: one after another in this process). With --devices, one stage per device at a time.")]
    public int? Jobs { get; init; }

    [CommandOption("--devices <LIST>")]
    [Description("Devices to spread the stages that compute over, comma-separated (e.g. cuda:0,cuda:1): each takes one for as long as it runs. Implies --jobs with their number.")]
    public string? Devices { get; init; }

    /// <summary>The device pool --devices names (empty without it).</summary>
    public IReadOnlyList<string> DevicePool =>
        Devices is null ? [] : [.. Devices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>How many stages run at once: --jobs, else one per device of --devices, else 1.</summary>
    public int Parallelism => Jobs ?? (DevicePool.Count > 0 ? DevicePool.Count : 1);

    public override Spectre.Console.ValidationResult Validate()
    {
        string? error =
            Jobs is < 1 ? $"--jobs must be at least 1, not {Jobs}"
            : Devices is not null && DevicePool.Count == 0 ? "--devices needs at least one device, e.g. cuda:0,cuda:1"
            : DevicePool.Select(d => d == "auto" ? "--devices takes devices (cpu, cuda, cuda:N), not auto" : PetSeg.Compute.DeviceChoice.Invalid("--devices", d)).FirstOrDefault(e => e is not null)
              ?? (DevicePool.Distinct().Count() < DevicePool.Count ? "--devices names a device twice" : null)
            ?? (DevicePool.Count == 1 ? $"--devices spreads stages over several devices; for one, --device {DevicePool[0]}" : null)
            ?? (Devices is not null && Device is not null ? "--device and --devices both say where to compute: give one" : null)
            ?? (Parallelism > 1 && (Exclusive || Force) ? "--jobs runs the stale stages of a target; --exclusive and --force run one stage in this process (leave out --jobs)" : null)
            ?? (Upstream && !Check ? "--upstream widens --check to the stages TARGET needs; without --check, run computes what they need anyway" : null)
            ?? (Check && (Parallelism > 1 || Force || Push) ? $"--check computes TARGET again beside its stored result and keeps neither in the store; it takes no {(Parallelism > 1 ? "--jobs or --devices" : Force ? "--force" : "--push")}" : null);
        return error is null ? base.Validate() : Spectre.Console.ValidationResult.Error(error);
    }

    [CommandOption("--push")]
    [Description("Upload every result this run computes to the remote (also: push: true on the remote in pipeline.yaml).")]
    public bool Push { get; init; }
}
