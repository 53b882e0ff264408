using System.IO.Compression;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg export` writes the trained weights alone: a safetensors file whose keys are exactly the model's
/// state_dict, as PyTorch names it (nothing to filter for a strict load), and a .pth laid out as torch.save writes it, compared with
/// PyTorch's own file in ../shared/fixtures/checkpoints. Nothing here touches torch's generator (the weights come from
/// a training in a petseg process, the reference keys from PyTorch's file), so the class runs beside the others.
/// </summary>
public sealed class ExportCommandTests
{
    [Fact]
    public void Exported_weights_load_strictly_and_the_pth_is_laid_out_like_torch_save()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, log) = CliProcess.Run("run", "train-tiny", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        (exit, log) = CliProcess.Run("export", "tiny", "--out", dir["tiny.safetensors"], "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Directory.CreateDirectory(dir["exports"]); // a folder, as cp takes one: exports/tiny.pth
        (exit, log) = CliProcess.Run("export", "tiny", "--out", dir["exports"], "--format", "pth", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains($"→ {dir["exports/tiny.pth"]} (", log);
        // The safetensors export says what model it is (header metadata, which PyTorch's load_file ignores): a colleague
        // given only the file predicts with it as it is; the .pth needs the architecture named.
        var image = Directory.GetFiles(dir["out/data/synthetic-pet/images"], "*.jpg").Order(StringComparer.Ordinal).First();
        (exit, log) = CliProcess.Run("predict", image, "--checkpoint", dir["tiny.safetensors"], "--out", dir["a.png"]);
        Assert.True(exit == 0, log);
        Assert.Contains("simple-unet at 32², epoch 1", log);
        (exit, log) = CliProcess.Run("predict", image, "--checkpoint", dir["exports/tiny.pth"], "--model", "simple-unet", "--size", "32", "--out", dir["b.png"]);
        Assert.True(exit == 0, log);
        Assert.Equal(File.ReadAllBytes(dir["a.png"]), File.ReadAllBytes(dir["b.png"]));
        // And by the experiment's name, from the store: the same weights, the same mask.
        (exit, log) = CliProcess.Run("predict", image, "--experiment", "tiny", "--config", dir["pipeline.yaml"], "--out", dir["c.png"]);
        Assert.True(exit == 0, log);
        Assert.Contains("simple-unet at 32², epoch 1, on cpu", log);
        Assert.Equal(File.ReadAllBytes(dir["a.png"]), File.ReadAllBytes(dir["c.png"]));
        // With test-time augmentation, named in the summary (the experiment's tta: is the default; --tta overrides it).
        (exit, log) = CliProcess.Run("predict", image, "--experiment", "tiny", "--tta", "hflip", "--config", dir["pipeline.yaml"], "--out", dir["d.png"]);
        Assert.True(exit == 0, log);
        Assert.Contains("simple-unet at 32², epoch 1, tta: hflip, on cpu", log);
        // The experiment's own tta: is the default: set in pipeline.yaml (the training unchanged), the same mask.
        File.WriteAllText(dir["pipeline.yaml"], File.ReadAllText(dir["pipeline.yaml"]).Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, tta: hflip }", StringComparison.Ordinal));
        (exit, log) = CliProcess.Run("predict", image, "--experiment", "tiny", "--config", dir["pipeline.yaml"], "--out", dir["e.png"]);
        Assert.True(exit == 0, log);
        Assert.Contains("simple-unet at 32², epoch 1, tta: hflip, on cpu", log);
        Assert.Equal(File.ReadAllBytes(dir["d.png"]), File.ReadAllBytes(dir["e.png"]));

        // Exactly PyTorch's state_dict of the architecture (the fixture's keys and shapes, written by PyTorch): nothing
        // to filter for a strict load. The predict above with --model loaded the .pth strictly; it holds the same tensors.
        var pytorch = SafetensorsFile.ReadHeader(SharedFixtures.Path("fixtures/models/simple_unet.weights.safetensors"), out _).ToDictionary(e => e.Name);
        var header = SafetensorsFile.ReadHeader(dir["tiny.safetensors"], out _);
        Assert.Equal(pytorch.Keys.Order(StringComparer.Ordinal), header.Select(e => e.Name).Order(StringComparer.Ordinal)); // no optimizer/… keys
        Assert.All(header, e => Assert.Equal(pytorch[e.Name].Shape, e.Shape));
        using (NewDisposeScope())
        {
            var fromSafetensors = SafetensorsFile.Load(dir["tiny.safetensors"]);
            var fromPth = PyTorchCheckpoint.Load(dir["exports/tiny.pth"]);
            Assert.Equal(fromSafetensors.Keys.Order(StringComparer.Ordinal), fromPth.Select(p => p.Key).Order(StringComparer.Ordinal));
            foreach (var (name, t) in fromPth)
                Assert.True(t.dtype == fromSafetensors[name].dtype && t.eq(fromSafetensors[name]).all().item<bool>(), $"{name} differs between the two exports");
        }
        // torch.save's container: one top-level folder (the file's stem), data.pkl first, byteorder, data/<i>, version,
        // every record stored uncompressed — as in PyTorch's own small.zip.pth.
        using var ours = ZipFile.OpenRead(dir["exports/tiny.pth"]);
        using var theirs = ZipFile.OpenRead(SharedFixtures.Path("fixtures/checkpoints/small.zip.pth"));
        static string Shape(ZipArchiveEntry e) => System.Text.RegularExpressions.Regex.Replace(e.FullName[(e.FullName.IndexOf('/') + 1)..], @"data/\d+", "data/N");
        Assert.All(ours.Entries, e => Assert.StartsWith("tiny/", e.FullName));
        Assert.Equal("data.pkl", Shape(ours.Entries[0]));
        Assert.Subset(theirs.Entries.Select(Shape).ToHashSet(), ours.Entries.Select(Shape).ToHashSet());
        Assert.Equal(pytorch.Count, ours.Entries.Count(e => Shape(e) == "data/N"));
        Assert.All(ours.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        using (var r = new StreamReader(ours.GetEntry("tiny/byteorder")!.Open())) Assert.Equal("little", r.ReadToEnd());
        byte[] Head(ZipArchive z, string name) { using var s = z.GetEntry(name)!.Open(); var b = new byte[26]; s.ReadExactly(b); return b; }
        Assert.Equal(Head(theirs, "small.zip/data.pkl"), Head(ours, "tiny/data.pkl")); // protocol 2, collections.OrderedDict
    }

    [Fact]
    public void An_onnx_export_runs_in_onnx_runtime()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, log) = CliProcess.Run("run", "train-tiny", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        (exit, log) = CliProcess.Run("export", "tiny", "--out", dir["tiny.onnx"], "--config", dir["pipeline.yaml"]); // the format from the name
        Assert.True(exit == 0, log);
        Assert.Matches(@"→ .*tiny\.onnx \([\d.]+ MiB, onnx\)", log);
        // What a .NET app does with it: no libtorch, the uint8 image in, the mask out (the model's numbers: OnnxExportTests).
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(dir["tiny.onnx"]))
        {
            var image = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<byte>(Enumerable.Range(0, 2 * 3 * 32 * 32).Select(i => (byte)(i * 7 % 256)).ToArray(), [2, 3, 32, 32]);
            using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("image", image)]);
            Assert.Equal([2, 2, 32, 32], results.Single(r => r.Name == "logits").AsTensor<float>().Dimensions.ToArray());
            var mask = results.Single(r => r.Name == "mask").AsTensor<byte>();
            Assert.Equal([2, 32, 32], mask.Dimensions.ToArray());
            Assert.All(mask.ToArray(), m => Assert.InRange(m, (byte)0, (byte)1));
        }
        // tta: the experiment's by default (as its evaluation computed), --tta to choose; weights alone take none.
        Assert.Equal("none", OnnxMetadata(dir["tiny.onnx"])["petseg.tta"]);
        Assert.Equal("0 background, 1 pet", OnnxMetadata(dir["tiny.onnx"])["petseg.classes"]);
        (exit, log) = CliProcess.Run("export", "tiny", "--out", dir["tiny-hflip.onnx"], "--tta", "hflip", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("tta: hflip inside (two passes of the model per image)", log);
        Assert.Equal("hflip", OnnxMetadata(dir["tiny-hflip.onnx"])["petseg.tta"]);
        (exit, log) = CliProcess.Run("export", "tiny", "--out", dir["tiny.pth"], "--tta", "hflip", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("--tta goes with an ONNX export: pth holds the weights alone, which predict --tta takes as they are", log);
        File.WriteAllText(dir["pipeline.yaml"], File.ReadAllText(dir["pipeline.yaml"]).Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, tta: hflip }", StringComparison.Ordinal));
        (exit, log) = CliProcess.Run("export", "tiny", "--out", dir["tiny-default.onnx"], "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Equal("hflip", OnnxMetadata(dir["tiny-default.onnx"])["petseg.tta"]);
        // The untrained Segformer (MiT-b0) too, into a folder: <experiment>.onnx there.
        (exit, log) = CliProcess.Run("run", "train-untrained", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Directory.CreateDirectory(dir["exports"]);
        (exit, log) = CliProcess.Run("export", "untrained", "--out", dir["exports"], "--format", "onnx", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(dir["exports/untrained.onnx"]))
        {
            var image = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<byte>(new byte[3 * 32 * 32], [1, 3, 32, 32]);
            using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("image", image)]);
            Assert.Equal([1, 32, 32], results.Single(r => r.Name == "mask").AsTensor<byte>().Dimensions.ToArray());
        }
    }

    private static Dictionary<string, string> OnnxMetadata(string path)
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        return session.ModelMetadata.CustomMetadataMap;
    }

    [Fact]
    public void Exporting_an_unknown_or_untrained_experiment_says_what_to_do()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, log) = CliProcess.Run("export", "nope", "--out", dir["x.safetensors"], "--config", dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("no experiment 'nope'", log);
        (exit, log) = CliProcess.Run("export", "tiny", "--out", dir["x.safetensors"], "--config", dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("petseg run train-tiny", log);
        Assert.False(File.Exists(dir["x.safetensors"]));
    }
}
