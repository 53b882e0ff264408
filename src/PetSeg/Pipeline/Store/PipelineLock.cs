using PetSeg.IO;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PetSeg.Pipeline.Store;

/// <summary>One stage as recorded in pipeline.lock.</summary>
public sealed class LockedStage
{
    public string Key { get; set; } = "";
    public string Code { get; set; } = "";
    public SortedDictionary<string, string> Params { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Inputs { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Outputs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>An evaluation's headline metrics (round-trip decimal strings), so `metrics diff REV` needs only git.</summary>
    public SortedDictionary<string, string>? Metrics { get; set; }

    /// <summary>What computed the result (cpu, kernels, numerics), for stages that compute with torch.</summary>
    public SortedDictionary<string, string>? Compute { get; set; }
}

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

    /// <summary>A lock file's text (e.g. from git), reported as <paramref name="path"/> when damaged.</summary>
    public static PipelineLock Parse(string text, string path)
    {
        if (!text.EndsWith(Trailer, StringComparison.Ordinal))
            throw new Config.ConfigException($"{path}: pipeline.lock is damaged (truncated or edited: its last line is not '{Trailer.Trim()}'). " +
                "Delete it and run again to rewrite it; the store is unaffected (gc refuses to delete anything until then).");
        try
        {
            var parsed = Reader.Deserialize<PipelineLock>(text) ?? new PipelineLock();
            parsed.Stages = new SortedDictionary<string, LockedStage>(parsed.Stages, StringComparer.Ordinal);
            return parsed;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new Config.ConfigException($"{path}:{e.Start.Line}:{e.Start.Column}: pipeline.lock is not valid YAML ({e.Message}). Delete it to start over; the store is unaffected.");
        }
    }

    public void Record(StoreEntry e) => Stages[e.Stage] = new LockedStage
    {
        Key = e.Key,
        Code = e.CodeVersion,
        Params = new(e.Parameters, StringComparer.Ordinal),
        Inputs = new(e.Inputs, StringComparer.Ordinal),
        Outputs = new(e.Outputs.ToDictionary(p => p.Key, p => p.Value.Digest), StringComparer.Ordinal),
        Metrics = e.Outputs.ContainsKey(MetricsFileName) ? Headline(e.OutputPath(MetricsFileName)) : null,
        Compute = e.Compute is { } c ? new(StringComparer.Ordinal) { ["cpu"] = c.Cpu, ["device"] = c.Device ?? "cpu", ["kernels"] = c.Backend, ["numerics"] = c.Verdict } : null,
    };

    private const string MetricsFileName = "metrics.json";

    private static SortedDictionary<string, string> Headline(string metricsFile)
    {
        var m = PetSeg.Metrics.MetricsFile.Read(metricsFile).Metrics;
        static string F(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return new(StringComparer.Ordinal)
        {
            ["pixel_error"] = F(m.PixelError), ["f1_weighted"] = F(m.F1Weighted), ["mean_iou"] = F(m.MeanIoU), ["accuracy"] = F(m.Accuracy),
        };
    }

    /// <summary>The last line of every lock file: a file without it was cut short (or edited) and is not trusted.</summary>
    private const string Trailer = "# end of pipeline.lock\n";

    /// <summary>
    /// Re-reads the file, applies <paramref name="change"/> and writes it back, all under <paramref name="guard"/> (a
    /// lock file), so runs that share a workspace add their stages without dropping each other's.
    /// </summary>
    public static void Update(string path, string guard, Action<PipelineLock> change)
    {
        using var held = FileLock.Acquire(guard, "updating " + Path.GetFileName(path), shared: false, wait: null, waiting: null, refusal: h => h);
        var current = Read(path);
        change(current);
        current.Write(path);
    }

    public void Write(string path) =>
        AtomicFile.WriteAllText(path, "# pipeline.lock: generated by petseg; commit it to share what produced your results.\n" + Writer.Serialize(this) + Trailer);
}
