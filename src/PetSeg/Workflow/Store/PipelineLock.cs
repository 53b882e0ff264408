using PetSeg.Core;
using PetSeg.IO;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PetSeg.Workflow.Store;

/// <summary>
/// pipeline.lock, like dvc.lock: every stage's key, parameters, input and output digests, sorted, in YAML, meant to be
/// committed so a teammate sees exactly what produced what. Rewritten atomically after every stage.
/// </summary>
public sealed class PipelineLock
{
    public SortedDictionary<string, LockedStage> Stages { get; set; } = new(StringComparer.Ordinal);

    private static readonly ISerializer Writer = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build();
    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).IgnoreUnmatchedProperties().Build();

    public static PipelineLock Read(string path) => File.Exists(path) ? Parse(File.ReadAllText(path), path) : new PipelineLock();

    /// <summary>The lock file, or false with what is wrong with it when it is damaged (a missing file is an empty lock).</summary>
    public static bool TryRead(string path, out PipelineLock lockFile, out string problem)
    {
        try { lockFile = Read(path); problem = ""; return true; }
        catch (ConfigException e) { lockFile = new PipelineLock(); problem = e.Message; return false; }
    }

    /// <summary>A lock file's text (e.g. from git), reported as <paramref name="path"/> when damaged.</summary>
    public static PipelineLock Parse(string text, string path)
    {
        if (!text.EndsWith(Trailer, StringComparison.Ordinal))
            throw new ConfigException($"{path}: pipeline.lock is damaged (truncated or edited: its last line is not '{Trailer.Trim()}'). " +
                "Any command that reads it (status, run, push, pull) rebuilds it from the store, keeping this file beside it; gc refuses to delete anything until then.");
        try
        {
            var parsed = Reader.Deserialize<PipelineLock>(text) ?? new PipelineLock();
            parsed.Stages = new SortedDictionary<string, LockedStage>(parsed.Stages, StringComparer.Ordinal);
            return parsed;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException($"{path}:{e.Start.Line}:{e.Start.Column}: pipeline.lock is not valid YAML ({e.Message}). Any command that reads it (status, run, push, pull) rebuilds it from the store, keeping this file beside it; gc refuses to delete anything until then.");
        }
    }

    /// <param name="stage">
    /// The stage whose result <paramref name="e"/> is — not <c>e.Stage</c>, the stage that first computed it: two stages
    /// with the same key (an experiment declared twice, a matrix run equal to another experiment) share one entry.
    /// </param>
    /// <param name="summary">What the stage adds to its record (<see cref="Stages.Stage.Summary"/>), recorded as <c>metrics:</c>.</param>
    /// <param name="resolved">Parameters its inputs decided (<see cref="Stages.Stage.Resolved"/>), recorded as <c>resolved:</c>.</param>
    public void Record(string stage, StoreEntry e, SortedDictionary<string, string>? summary = null, SortedDictionary<string, string>? resolved = null) => Stages[stage] = new LockedStage
    {
        Key = e.Key,
        Code = e.CodeVersion,
        Params = new(e.Parameters, StringComparer.Ordinal),
        Inputs = new(e.Inputs, StringComparer.Ordinal),
        Outputs = new(e.Outputs.ToDictionary(p => p.Key, p => p.Value.Digest), StringComparer.Ordinal),
        Metrics = summary is null ? null : new(summary, StringComparer.Ordinal),
        Resolved = resolved is null ? null : new(resolved, StringComparer.Ordinal),
        Compute = e.Compute is { } c ? ComputeLines(c) : null,
    };

    private static SortedDictionary<string, string> ComputeLines(PetSeg.Compute.ComputeRecord c)
    {
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["cpu"] = c.Cpu, ["device"] = c.Device ?? "cpu", ["kernels"] = c.Backend, ["numerics"] = c.Verdict,
            ["libtorch"] = c.Libtorch ?? PetSeg.Compute.LibTorchFolder.PackageDescription,
        };
        if (c.Threads is { } threads) lines["threads"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture); // absent in older entries
        return lines;
    }

    /// <summary>The last line of every lock file: a file without it was cut short (or edited) and is not trusted.</summary>
    private const string Trailer = "# end of pipeline.lock\n";

    /// <summary>
    /// Re-reads the file, applies <paramref name="change"/> and writes it back, all under <paramref name="guard"/> (a
    /// lock file), so runs that share a workspace add their stages without dropping each other's.
    /// </summary>
    public static void Update(string path, string guard, Action<PipelineLock> change)
    {
        using var held = FileLock.Acquire(guard, "updating " + Path.GetFileName(path), shared: false, wait: null, waiting: null, refusal: h => new StoreLockedException(h));
        var current = Read(path);
        change(current);
        current.Write(path);
    }

    public void Write(string path) =>
        AtomicFile.WriteAllText(path, "# pipeline.lock: generated by petseg; commit it to share what produced your results.\n" + Writer.Serialize(this) + Trailer);
}
