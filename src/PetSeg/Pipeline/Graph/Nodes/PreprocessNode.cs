using PetSeg.Data.Cache;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Stages;

namespace PetSeg.Pipeline.Graph.Nodes;

/// <summary>Decoded, resized uint8 tensors of both splits (<c>.petc</c> caches, kept in <c>artifacts/data/cache/</c>).</summary>
public sealed class PreprocessNode(PipelineConfig config) : Stage
{
    public override string Id => "preprocess";
    public override string Kind => "preprocess";
    public override string CodeVersion => Stages.CodeVersion.Preprocess;
    public override IReadOnlyList<string> DependsOn => ["download"];
    public override bool StoresOutputs => false;

    public override SortedDictionary<string, string> Parameters => new(StringComparer.Ordinal)
    {
        ["image_size"] = CanonicalParams.Of(config.Preprocess.ImageSize),
        ["skip_bad_samples"] = CanonicalParams.Of(config.Preprocess.SkipBadSamples),
    };

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var dataset = c.Input("download", "dataset");
        var r = PreprocessStage.Run(c.Config, new DownloadStage.Result(new Data.Dataset.OxfordPetLayout(dataset.Path), dataset.Digest, false), c.Ui, c.Cancellation);
        return r.CacheFiles.ToDictionary(p => p.Key + ".petc", p => new StageOutput(p.Value, r.Digests[p.Key]));
    }

    /// <summary>Cheap check: the cache header's payload digest (the full payload is verified when training opens it).</summary>
    public override bool IsIntact(string name, string path, string digest, DigestCache digests)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var cache = TensorCache.Open(path, verify: false);
            return cache.Digest == digest;
        }
        catch (TensorCacheException) { return false; }
    }
}
