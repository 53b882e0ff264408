using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Progress;
using PetSeg.Pipeline.Stages;
using PetSeg.Pipeline.Store;

namespace PetSeg.Pipeline.Graph;

/// <summary>One output of a stage: where it is and the digest that identifies its content.</summary>
public sealed record StageOutput(string Path, string Digest);

/// <summary>What a running stage sees: its dependencies' published entries and a private folder for its outputs.</summary>
public sealed record StageContext(
    PipelineConfig Config,
    string Key,
    string OutputDir,
    IReadOnlyDictionary<string, StoreEntry> Dependencies,
    DigestCache Digests,
    IProgressSink Ui,
    HttpClient? Http,
    CancellationToken Cancellation)
{
    public StageOutput Input(string stage, string output) =>
        Dependencies.TryGetValue(stage, out var e) && e.Outputs.TryGetValue(output, out var o)
            ? new StageOutput(e.OutputPath(output), o.Digest)
            : throw new InvalidOperationException($"stage input {stage}/{output} is not available");
}

/// <summary>
/// A node of the pipeline DAG. Its key is a content hash of kind, code version, parameters and input digests
/// (<see cref="StageKey"/>), so a stage reruns exactly when one of those changes.
/// </summary>
public abstract class Stage
{
    public abstract string Id { get; }
    public abstract string Kind { get; }
    /// <summary>Bumped when the stage's code changes what it produces, so old results stop matching.</summary>
    public abstract string CodeVersion { get; }
    public abstract IReadOnlyList<string> DependsOn { get; }
    public abstract SortedDictionary<string, string> Parameters { get; }

    /// <summary>
    /// True: outputs are files written to <see cref="StageContext.OutputDir"/> and moved into the store.
    /// False: outputs stay where the stage keeps them (multi-GB datasets and caches); the store records their digests.
    /// </summary>
    public virtual bool StoresOutputs => true;

    /// <summary>Which dependency outputs feed the key (logs and other by-products do not), all by default.</summary>
    public virtual bool UsesInput(string dependency, string output) => true;

    public abstract IReadOnlyDictionary<string, StageOutput> Execute(StageContext context);

    /// <summary>Checks that a recorded output is still what was published (external outputs override this cheaply).</summary>
    public virtual bool IsIntact(string name, string path, string digest, DigestCache digests) =>
        File.Exists(path) && digests.Of(path) == digest;
}
