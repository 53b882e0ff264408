using PetSeg.Compute;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using PetSeg.Models.Encoders;
using PetSeg.Models.Weights;
using PetSeg.Lab.Config;
using PetSeg.Training;
using static TorchSharp.torch;
using PetSeg.Workflow.Stages;

namespace PetSeg.Lab.Stages;

/// <summary>
/// ImageNet encoder weights for the pretrained experiments, fetched with the dataset's download machinery (mirrors,
/// resume, checksums) into <c>artifacts/data/downloads/weights/&lt;source&gt;/</c>. The synthetic source writes seeded
/// random weights in each registry entry's format, with its classifier (<c>fc.*</c>, <c>head.*</c>) and without
/// <c>num_batches_tracked</c>, like the real files; the pretrain source writes, in the same format, encoders trained
/// here on other synthetic pets (<see cref="PretrainConfig"/>).
/// </summary>
public sealed class WeightsStage(PipelineConfig config, IReadOnlyList<string> encoders) : Stage
{
    public override string Id => StageIds.Weights;
    public override bool WritesInPlace => true; // under artifacts/data
    public override string Kind => StageIds.Weights;
    public override bool Computes => true;
    public override string DeviceSetting => config.Compute.Device;
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
                p[e] = config.Weights.Source switch
                {
                    WeightsConfig.Synthetic => "seed=1",
                    WeightsConfig.Pretrain => PretrainParameters,
                    _ => $"{f.FileName} {f.Checksum.Pin}",
                };
            }
            return p;
        }
    }

    private string PretrainParameters
    {
        get
        {
            var (p, d) = (config.Weights.Pretraining, config.Dataset.Synthetic);
            return FormattableString.Invariant(
                $"pretrain count={p.Count} seed={p.Seed} epochs={p.Epochs} lr={p.Lr:R} batch={p.BatchSize} size={config.Preprocess.ImageSize} pictures={d.MinWidth}-{d.MaxWidth}x{d.MinHeight}-{d.MaxHeight} band={d.BorderBand:R} quality={d.JpegQuality}");
        }
    }

    /// <param name="dataDir">The data folder it is under: the workspace's (<see cref="PipelineConfig.DataDir"/>) when null.</param>
    public string Folder(string? dataDir = null) => Path.Combine(dataDir ?? config.DataDir, "downloads", "weights", config.Weights.Source);

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var folder = Folder(c.InPlaceDir);
        Directory.CreateDirectory(folder);
        var outputs = new Dictionary<string, StageOutput>();
        var source = config.Weights.Source;
        var http = source == WeightsConfig.ImageNet ? c.Http ?? new HttpClient() : null;
        var scratch = Path.Combine(c.OutputDir, "pretrain");
        TensorCache? pretrainData = null;
        try
        {
            foreach (var name in encoders)
            {
                var file = config.Weights.Files[name];
                var path = Path.Combine(folder, file.FileName);
                if (source == WeightsConfig.Synthetic) WriteSynthetic(EncoderRegistry.Get(name), path);
                else if (source == WeightsConfig.Pretrain) WritePretrained(EncoderRegistry.Get(name), path, pretrainData ??= PretrainData(scratch, c), scratch, c);
                else DownloadStage.Fetch(http!, config.Dataset.Download with { LocalFolders = config.Weights.LocalFolders }, file, path, c);
                // Fail here, not mid-training, if the file is not a readable checkpoint.
                foreach (var (_, t) in PyTorchCheckpoint.Load(path)) t.Dispose();
                outputs[name] = c.Output(path);
            }
        }
        finally
        {
            if (c.Http is null) http?.Dispose();
            pretrainData?.Dispose();
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); // not an output
        }
        return outputs;
    }

    /// <summary>The pretraining pets: generated with their own seed, the trainval half preprocessed like the experiments' data.</summary>
    private TensorCache PretrainData(string scratch, StageContext c)
    {
        var p = config.Weights.Pretraining;
        var options = config.Dataset.Synthetic with { Count = p.Count, Seed = p.Seed, Quirks = false };
        var layout = SyntheticPetGenerator.WriteLayout(Path.Combine(scratch, "pets"), options);
        var size = config.Preprocess.ImageSize;
        var r = Preprocessor.Run(OxfordPetDataset.Open(layout.Root, "trainval"), Path.Combine(scratch, "trainval.petc"),
            new PreprocessOptions(size, size, MaxDegreeOfParallelism: config.Preprocess.Threads > 0 ? config.Preprocess.Threads : -1), null, c.Cancellation);
        return TensorCache.Open(r.Path);
    }

    private void WritePretrained(EncoderInfo info, string path, TensorCache data, string scratch, StageContext c)
    {
        var p = config.Weights.Pretraining;
        c.Ui.Info($"weights: pretraining {info.Name} inside {Models.ModelZoo.ArchitectureWith(info.Name)} on {data.Count} synthetic pets " +
                  $"(seed {p.Seed}, {p.Epochs} epoch(s), lr {p.Lr}): an offline stand-in for ImageNet");
        using var scope = NewDisposeScope();
        var state = EncoderPretraining.Run(info.Name, data, p.Epochs, p.Lr, p.BatchSize, p.Seed, Path.Combine(scratch, "run-" + info.Name), c.Ui, c.Cancellation, c.Device);
        manual_seed(p.Seed); // the (unused) classifier's draw
        WriteFile(info, state, path);
    }

    /// <summary>Seeded random encoder weights, always rewritten (the stage only runs when its recorded output is not intact).</summary>
    private static void WriteSynthetic(EncoderInfo info, string path)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var encoder = info.Create(3);
        var state = encoder.state_dict().Where(p => !p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).ToList();
        WriteFile(info, state, path);
    }

    /// <summary>An encoder's tensors as its ImageNet file holds them: plus a (seeded random) classifier, in the registry's format.</summary>
    private static void WriteFile(EncoderInfo info, List<KeyValuePair<string, Tensor>> state, string path)
    {
        using var scope = NewDisposeScope();
        state = [.. state];
        state.Add(new(info.ImageNet.ClassifierPrefix + "weight", randn(1000, info.ImageNet.ClassifierInFeatures).mul_(Scalars.Of(0.01))));
        state.Add(new(info.ImageNet.ClassifierPrefix + "bias", zeros(1000)));
        if (info.ImageNet.Format == WeightsFormat.TorchZip) PyTorchCheckpointWriter.SaveZip(path, state);
        else PyTorchCheckpointWriter.SaveSafetensors(path, state);
    }
}
