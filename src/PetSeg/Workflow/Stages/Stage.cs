using PetSeg.Core;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Stages;

/// <summary>
/// A node of the DAG and the one place its work is written. Its key is a content hash of kind, code version,
/// parameters and input digests (<see cref="Graph.StageKey"/>), so a stage reruns exactly when one of those changes;
/// whether it is fresh is decided by the store alone (the key is published and every output still has its digest).
/// The engine knows stages only through this class: what a pipeline is made of is declared above it.
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
    /// Files or folders outside the store that the stage reads (a dataset of one's own), each by a name that is the same on
    /// every machine: their content digests enter the key under that name, never their paths, so the same data gives the
    /// same key wherever it lies, and a changed file makes the stage stale. A name has no '/' (those name dependencies' outputs).
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> ExternalInputs => NoExternalInputs;
    private static readonly IReadOnlyDictionary<string, string> NoExternalInputs = new Dictionary<string, string>();

    /// <summary>The group target this stage is a member of (a Cake target such as Train), or null.</summary>
    public virtual string? Group => null;

    /// <summary>Whether the stage computes with torch: its entry then records what computed it (CPU, kernel path, self-check verdict).</summary>
    public virtual bool Computes => false;

    /// <summary>Where a computing stage runs (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>): resolved by the runner before it starts.</summary>
    public virtual string DeviceSetting => "cpu";

    /// <summary>
    /// Whether the stage writes its outputs in place, under a folder the workspace names, rather than into the store
    /// (multi-GB data: see <see cref="Execute"/>). Such a stage writes under <see cref="StageContext.InPlaceDir"/> instead
    /// where one is given (<c>run --check</c>), and is locked by its id (<see cref="LockName"/>).
    /// </summary>
    public virtual bool WritesInPlace => false;

    /// <summary>
    /// The lock a run holds while computing this stage: the key, so two processes wanting one result compute it once.
    /// Stages that write in place (outside the store) lock their id instead, since any two of their keys would write
    /// the same files.
    /// </summary>
    public virtual string LockName(string key) => WritesInPlace ? "data-" + Id : key[(key.IndexOf(':') + 1)..];

    /// <summary>How an input is named in the key: by default the dependency's id and the output's name.</summary>
    public virtual string InputName(string dependency, string output) => $"{dependency}/{output}";

    /// <summary>Which dependency outputs feed the key (logs and other by-products do not), all by default.</summary>
    public virtual bool UsesInput(string dependency, string output) => true;

    /// <summary>
    /// Writes the outputs, either into <see cref="StageContext.OutputDir"/> (moved into the store on publish) or, for
    /// multi-GB data, in place under a folder the workspace names (the store records their digests).
    /// </summary>
    public abstract IReadOnlyDictionary<string, StageOutput> Execute(StageContext context);

    /// <summary>
    /// What pipeline.lock records of a published result besides keys and digests (an evaluation's headline metrics, as
    /// round-trip strings), so comparisons need only the lock file; null for nothing.
    /// </summary>
    public virtual SortedDictionary<string, string>? Summary(StoreEntry entry) => null;

    /// <summary>
    /// Parameters a published result's inputs decided rather than the configuration (a refit trains the settings a
    /// choice among runs named), recorded in pipeline.lock as <c>resolved:</c> so comparisons show them; null for none.
    /// </summary>
    public virtual SortedDictionary<string, string>? Resolved(StoreEntry entry) => null;

    /// <summary>
    /// Work a stopped run of this key left to resume (a training's checkpoint: "3 of 10 epochs done"), for
    /// <c>status</c>; null for none. Only a stale stage whose inputs are fresh is asked.
    /// </summary>
    public virtual string? WorkInProgress(string key) => null;

    /// <summary>
    /// How far a computation of this key that is running now has got ("3 of 24 epoch(s) done"), for <c>status</c> while
    /// another process holds the stage's lock; null where the stage cannot tell.
    /// </summary>
    /// <param name="workDir">The store's work folder that computation writes (<see cref="StageContext.OutputDir"/>), or null
    /// where none is found: a <c>run --check</c> computes everything there.</param>
    public virtual string? Progress(string key, string? workDir) => null;

    /// <summary>
    /// Whether an output records how the stage ran (a log with its times) rather than what it computed: <c>run --check</c>
    /// does not compare it.
    /// </summary>
    public virtual bool RecordsTheRun(string output) => false;

    /// <summary>
    /// Where a recomputed output differs from the stored one, said for a person ("first at epoch 1, batch 3: …"), for
    /// <c>run --check</c>; null where the stage cannot say more than that the bytes differ.
    /// </summary>
    public virtual string? Difference(string output, string storedPath, string recomputedPath) => null;

    /// <summary>
    /// Whether <see cref="Present"/> does something, so a run that finds the stage fresh still runs it (Cake asks this
    /// through <c>status --json</c>).
    /// </summary>
    public virtual bool Presents => false;

    /// <summary>
    /// Called with the current key's entry after every run that needs this stage, a cache hit included: a stage whose
    /// result users open outside the store (a report folder) refreshes that view here.
    /// </summary>
    public virtual void Present(StoreEntry entry, IProgressSink ui) { }
}
