using PetSeg.Data.Download;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Stages;
using static TorchSharp.torch;

namespace PetSeg.Pipeline.Graph.Nodes;

/// <summary>
/// ImageNet encoder weights for the pretrained experiments, fetched with the dataset's download machinery (mirrors,
/// resume, checksums) into <c>artifacts/data/downloads/weights/</c>. The synthetic source writes seeded random
/// weights in the real files' formats (zip .pth with <c>fc.*</c> and no <c>num_batches_tracked</c>; safetensors with <c>head.*</c>).
/// </summary>
public sealed class WeightsNode(PipelineConfig config, IReadOnlyList<string> encoders) : Stage
{
    public override string Id => "weights";
    public override string Kind => "weights";
    public override string CodeVersion => Stages.CodeVersion.Weights;
    public override IReadOnlyList<string> DependsOn => [];
    public override bool StoresOutputs => false;

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
        foreach (var encoder in encoders)
        {
            var file = config.Weights.Files[encoder];
            var path = Path.Combine(Folder, file.FileName);
            if (config.Weights.Source == "synthetic") WriteSynthetic(encoder, path);
            else
            {
                var http = c.Http ?? new HttpClient();
                try
                {
                    using var bar = c.Ui.Bar($"download {file.FileName}", file.Checksum.Size ?? 0, Progress.ProgressUnit.Bytes);
                    var r = new HttpDownloader(http, config.Dataset.Download, new SyncProgress<DownloadProgress>(p => bar.Update(p.Received)))
                        .DownloadAsync(file, path, c.Cancellation).GetAwaiter().GetResult();
                    c.Ui.Info($"weights: {file.FileName} {(r.Outcome == DownloadOutcome.AlreadyPresent ? "already present and verified" : $"downloaded ({r.BytesTransferred:N0} bytes)")}");
                }
                finally { if (c.Http is null) http.Dispose(); }
            }
            PyTorchCheckpoint.Load(path).ForEach(p => p.Value.Dispose()); // fail here, not mid-training, if the file is not a readable checkpoint
            outputs[encoder] = new StageOutput(path, c.Digests.Of(path));
        }
        return outputs;
    }

    private static void WriteSynthetic(string encoder, string path)
    {
        if (File.Exists(path)) return;
        using var scope = NewDisposeScope();
        manual_seed(1);
        if (encoder == "resnet34")
        {
            var state = new Unet().Encoder.state_dict().Where(p => !p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                .Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).ToList();
            state.Add(new("fc.weight", randn(1000, 512) * 0.01));
            state.Add(new("fc.bias", zeros(1000)));
            PyTorchCheckpointWriter.SaveZip(path, state);
        }
        else
        {
            var state = new Segformer().Encoder.state_dict().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).ToList();
            state.Add(new("head.weight", randn(1000, 256) * 0.01));
            state.Add(new("head.bias", zeros(1000)));
            PyTorchCheckpointWriter.SaveSafetensors(path, state);
        }
    }
}
