using PetSeg.Models.Encoders;
using PetSeg.Models.Weights;
using PetSeg.Pipeline.Config;
using static TorchSharp.torch;

namespace PetSeg.Pipeline.Stages;

/// <summary>
/// ImageNet encoder weights for the pretrained experiments, fetched with the dataset's download machinery (mirrors,
/// resume, checksums) into <c>artifacts/data/downloads/weights/&lt;source&gt;/</c>. The synthetic source writes seeded
/// random weights in each registry entry's format, with its classifier (<c>fc.*</c>, <c>head.*</c>) and without
/// <c>num_batches_tracked</c>, like the real files.
/// </summary>
public sealed class WeightsStage(PipelineConfig config, IReadOnlyList<string> encoders) : Stage
{
    public override string Id => StageIds.Weights;
    public override string LockName(string key) => "data-" + Id; // writes in place under artifacts/data
    public override string Kind => StageIds.Weights;
    public override string CodeVersion => StageVersions.Weights;
    public override IReadOnlyList<string> DependsOn => [];

    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["source"] = config.Weights.Source };
            foreach (var e in encoders)
            {
                var f = config.Weights.Files[e];
                p[e] = config.Weights.Source == "synthetic" ? "seed=1" : $"{f.FileName} {f.Checksum.Sha256 ?? f.Checksum.Md5 ?? "unpinned"}";
            }
            return p;
        }
    }

    public string Folder => Path.Combine(config.DataDir, "downloads", "weights", config.Weights.Source);

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        Directory.CreateDirectory(Folder);
        var outputs = new Dictionary<string, StageOutput>();
        var http = config.Weights.Source == "synthetic" ? null : c.Http ?? new HttpClient();
        try
        {
            foreach (var name in encoders)
            {
                var file = config.Weights.Files[name];
                var path = Path.Combine(Folder, file.FileName);
                if (http is null) WriteSynthetic(EncoderRegistry.Get(name), path);
                else DownloadStage.Fetch(http, config.Dataset.Download, file, path, c);
                // Fail here, not mid-training, if the file is not a readable checkpoint.
                foreach (var (_, t) in PyTorchCheckpoint.Load(path)) t.Dispose();
                outputs[name] = c.Output(path);
            }
        }
        finally { if (c.Http is null) http?.Dispose(); }
        return outputs;
    }

    /// <summary>Seeded random encoder weights, always rewritten (the stage only runs when its recorded output is not intact).</summary>
    private static void WriteSynthetic(EncoderInfo info, string path)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var encoder = info.Create(3);
        var state = encoder.state_dict().Where(p => !p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).ToList();
        state.Add(new(info.ImageNet.ClassifierPrefix + "weight", randn(1000, info.ImageNet.ClassifierInFeatures) * 0.01));
        state.Add(new(info.ImageNet.ClassifierPrefix + "bias", zeros(1000)));
        if (info.ImageNet.Format == WeightsFormat.TorchZip) PyTorchCheckpointWriter.SaveZip(path, state);
        else PyTorchCheckpointWriter.SaveSafetensors(path, state);
    }
}
