using PetSeg.Core;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Store;

namespace PetSeg.Pipeline.Stages;

/// <summary>One output of a stage: where it is (a file, or a folder for the extracted dataset) and the digest of its content.</summary>
public sealed record StageOutput(string Path, string Digest);

/// <summary>What a running stage sees: its dependencies' published entries and a private folder for its outputs.</summary>
public sealed record StageContext(
    PipelineConfig Config,
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

    public StageOutput Input(string stage, string output) =>
        Dependencies.TryGetValue(stage, out var e) && e.Outputs.TryGetValue(output, out var o)
            ? new StageOutput(e.OutputPath(output), o.Digest)
            : throw new InvalidOperationException($"stage input {stage}/{output} is not available");

    /// <summary>Records a file or folder this stage wrote as an output, with the digest the store will verify.</summary>
    public StageOutput Output(string path) => new(path, Digests.Of(path));
}

/// <summary>
/// A node of the pipeline DAG and the one place its work is written. Its key is a content hash of kind, code
/// version, parameters and input digests (Graph's StageKey), so a stage reruns exactly when one of those changes;
/// whether it is fresh is decided by the store alone (the key is published and every output still has its digest).
/// </summary>
public abstract class Stage
{
    public abstract string Id { get; }
    public abstract string Kind { get; }
    /// <summary>Bumped (in <see cref="StageVersions"/>) when the stage's code changes what it produces, so old results stop matching.</summary>
    public abstract string CodeVersion { get; }
    public abstract IReadOnlyList<string> DependsOn { get; }
    public abstract SortedDictionary<string, string> Parameters { get; }

    /// <summary>
    /// The lock a run holds while computing this stage: the key, so two processes wanting one result compute it once.
    /// Stages that write in place under <c>artifacts/data/</c> lock their id instead, since any two of their keys
    /// would write the same files.
    /// </summary>
    /// <summary>Whether the stage computes with torch: its entry then records what computed it (CPU, kernel path, self-check verdict).</summary>
    public virtual bool Computes => false;

    /// <summary>Where a computing stage runs (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>): resolved by the runner before it starts.</summary>
    public virtual string DeviceSetting => "cpu";

    public virtual string LockName(string key) => key[(key.IndexOf(':') + 1)..];

    /// <summary>How an input is named in the key: by default the dependency's id and the output's name.</summary>
    public virtual string InputName(string dependency, string output) => $"{dependency}/{output}";

    /// <summary>Which dependency outputs feed the key (logs and other by-products do not), all by default.</summary>
    public virtual bool UsesInput(string dependency, string output) => true;

    /// <summary>
    /// Writes the outputs, either into <see cref="StageContext.OutputDir"/> (moved into the store on publish) or, for
    /// the multi-GB data stages, in place under <c>artifacts/data/</c> (the store records their digests).
    /// </summary>
    public abstract IReadOnlyDictionary<string, StageOutput> Execute(StageContext context);

    /// <summary>
    /// Called with the current key's entry after every run that needs this stage, a cache hit included: a stage whose
    /// result users open outside the store (the report in <c>artifacts/report/</c>) refreshes that view here.
    /// </summary>
    public virtual void Present(StoreEntry entry, IProgressSink ui) { }
}
