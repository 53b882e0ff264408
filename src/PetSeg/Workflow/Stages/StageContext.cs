using PetSeg.Core;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Stages;

/// <summary>What a running stage sees: its dependencies' published entries and a private folder for its outputs.</summary>
public sealed record StageContext(
    string StageId,
    string Key,
    string OutputDir,
    IReadOnlyDictionary<string, StoreEntry> Dependencies,
    DigestCache Digests,
    IProgressSink Ui,
    HttpClient? Http,
    CancellationToken Cancellation)
{
    /// <summary>Where a computing stage computes (resolved from <see cref="Stage.DeviceSetting"/> by the runner); CPU otherwise.</summary>
    public TorchSharp.torch.Device Device { get; init; } = TorchSharp.torch.CPU;

    /// <summary>
    /// Where a stage that writes in place (<see cref="Stage.WritesInPlace"/>) writes instead of its usual folder, or null
    /// for there. <c>run --check</c> sets it to a folder of its own, so the files the store vouches for stay as they are.
    /// </summary>
    public string? InPlaceDir { get; init; }

    /// <summary>
    /// Set by <c>run --check</c>: the stored result this computation will be compared with. A long stage may stop as soon
    /// as it parts from it (<see cref="PartedFromStoredException"/>), and keeps its work inside <see cref="OutputDir"/>
    /// (a training does not resume from, or leave, a checkpoint of the key's run).
    /// </summary>
    public StoreEntry? Stored { get; init; }

    public StageOutput Input(string stage, string output) =>
        Dependencies.TryGetValue(stage, out var e) && e.Outputs.TryGetValue(output, out var o)
            ? new StageOutput(e.OutputPath(output), o.Digest)
            : throw new InvalidOperationException($"stage input {stage}/{output} is not available");

    /// <summary>Records a file or folder this stage wrote as an output, with the digest the store will verify.</summary>
    public StageOutput Output(string path) => new(path, Digests.Of(path));
}
