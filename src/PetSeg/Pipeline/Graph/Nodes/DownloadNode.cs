using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Stages;

namespace PetSeg.Pipeline.Graph.Nodes;

/// <summary>The dataset: downloaded (or generated) archives, extracted into <c>artifacts/data/</c> (kept in place, not copied).</summary>
public sealed class DownloadNode(PipelineConfig config) : Stage
{
    public override string Id => "download";
    public override string Kind => "download";
    public override string CodeVersion => Stages.CodeVersion.Download;
    public override IReadOnlyList<string> DependsOn => [];
    public override bool StoresOutputs => false;

    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var d = config.Dataset;
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["source"] = d.Source };
            if (d.Source == "synthetic") p["synthetic"] = System.Text.Json.JsonSerializer.Serialize(d.Synthetic);
            else foreach (var f in new[] { d.Images, d.Annotations })
                    p[f.FileName] = $"{f.Checksum.Sha256 ?? f.Checksum.Md5 ?? "unpinned"}";
            return p;
        }
    }

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var r = DownloadStage.RunAsync(c.Config, c.Ui, c.Http, c.Cancellation).GetAwaiter().GetResult();
        return new Dictionary<string, StageOutput> { ["dataset"] = new(r.Layout.Root, r.DatasetDigest) };
    }

    /// <summary>The extracted folder is intact when its stamp still carries the published digest.</summary>
    public override bool IsIntact(string name, string path, string digest, DigestCache digests) =>
        StageStamp.TryRead(Path.Combine(path, ".petseg-stage.json")) is { } s && s.Key == digest;
}
