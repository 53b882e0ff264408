using PetSeg.Compute;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PetSeg.Models;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using PetSeg.Models.Weights.Pickle;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Models.Weights;

/// <summary>PyTorch's three on-disk formats, read without executing anything from a pickle.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class CheckpointReaderTests
{
    public static TheoryData<string, CheckpointFormat> Files() => new()
    {
        { "small.zip.pth", CheckpointFormat.Zip },
        { "small.legacy.pth", CheckpointFormat.Legacy },
        { "small.safetensors", CheckpointFormat.Safetensors },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_format_yields_the_expected_tensors_bit_for_bit(string file, CheckpointFormat format)
    {
        using var scope = NewDisposeScope();
        var path = SharedFixtures.Path($"fixtures/checkpoints/{file}");
        Assert.Equal(format, PyTorchCheckpoint.Detect(path));
        var loaded = PyTorchCheckpoint.Load(path);
        var expected = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("fixtures/checkpoints/small.expected.json"))).RootElement.GetProperty("keys");
        var expectedKeys = expected.EnumerateObject().Select(p => p.Name).ToList();
        if (format == CheckpointFormat.Safetensors) Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), loaded.Select(p => p.Key).Order(StringComparer.Ordinal)); // header order is not meaningful
        else Assert.Equal(expectedKeys, loaded.Select(p => p.Key)); // pickles keep state_dict order
        foreach (var (key, t) in loaded)
        {
            var e = expected.GetProperty(key);
            Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), t.shape);
            Assert.Equal(e.GetProperty("dtype").GetString(), t.dtype == ScalarType.Float32 ? "float32" : t.dtype == ScalarType.Int64 ? "int64" : t.dtype.ToString());
            Assert.Equal(e.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(t.bytes)));
        }
        Assert.Equal(7, loaded.Single(p => p.Key == "bn1.num_batches_tracked").Value.item<long>());
    }

    [Fact]
    public void A_pickle_that_would_run_code_is_refused_naming_the_global()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "evil.pth");
        // The classic payload: os.system("echo pwned") via GLOBAL + REDUCE.
        var pickle = Encoding.Latin1.GetBytes("\u0080\u0002cos\nsystem\nX\u000a\u0000\u0000\u0000echo pwned\u0085R.");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("archive/data.pkl").Open()) s.Write(pickle);
        var e = Assert.Throws<UnsafePickleException>(() => PyTorchCheckpoint.Load(path));
        Assert.Contains("'os.system'", e.Message);
        Assert.Contains("evil.pth", e.Message);

        File.WriteAllBytes(path, pickle); // the same as a legacy-format stream
        Assert.Contains("'os.system'", Assert.Throws<UnsafePickleException>(() => PyTorchCheckpoint.Load(path)).Message);
    }

    [Fact]
    public void Files_we_write_read_back_identically_in_both_formats()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        manual_seed(3);
        var state = new List<KeyValuePair<string, Tensor>>
        {
            new("a.weight", randn(4, 3, 2, 2)), new("a.num_batches_tracked", tensor(5L)),
            new("b.half", randn(7).to_type(ScalarType.Float16)), new("c.big", arange(Scalars.Of(0L), Scalars.Of(70_000L), Scalars.One, dtype: ScalarType.Int64)),
        };
        foreach (var (file, save) in new (string, Action<string>)[]
        {
            ("w.pth", p => PyTorchCheckpointWriter.SaveZip(p, state)),
            ("w.safetensors", p => PyTorchCheckpointWriter.SaveSafetensors(p, state)),
        })
        {
            var path = Path.Combine(dir.Path, file);
            save(path);
            var back = PyTorchCheckpoint.Load(path).ToDictionary(p => p.Key, p => p.Value);
            Assert.Equal(state.Count, back.Count);
            foreach (var (k, t) in state)
            {
                Assert.Equal(t.dtype, back[k].dtype);
                Assert.Equal(t.shape, back[k].shape);
                Assert.Equal(t.bytes.ToArray(), back[k].bytes.ToArray());
            }
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Imagenet_encoder_files_load_into_the_encoder_dropping_the_classifier()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        manual_seed(11);
        // A torchvision-style ResNet-34 file: no prefix, fc.* present, and (as in the 2017 file) no num_batches_tracked.
        var source = new Unet();
        var resnet = source.Encoder.state_dict().Where(p => !p.Key.EndsWith("num_batches_tracked"))
            .Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.clone())).ToList();
        resnet.Add(new("fc.weight", randn(1000, 512)));
        resnet.Add(new("fc.bias", randn(1000)));
        var path = Path.Combine(dir.Path, "resnet34.pth");
        PyTorchCheckpointWriter.SaveZip(path, resnet);

        var target = new Unet();
        var decoderBefore = target.state_dict()["decoder.blocks.0.conv1.0.weight"].clone();
        ModelZoo.LoadEncoderWeights(target, path);
        var after = target.state_dict();
        foreach (var (k, v) in resnet.Where(p => !p.Key.StartsWith("fc.")))
            Assert.True(after["encoder." + k].equal(v).all().item<bool>(), k);
        Assert.True(after["decoder.blocks.0.conv1.0.weight"].equal(decoderBefore).all().item<bool>());

        // An encoder file that lacks a real weight is refused, naming it.
        PyTorchCheckpointWriter.SaveZip(path, resnet.Where(p => p.Key != "layer3.2.conv1.weight"));
        var e = Assert.Throws<WeightsMismatchException>(() => ModelZoo.LoadEncoderWeights(target, path));
        Assert.Contains("layer3.2.conv1.weight", e.Message);

        // MiT-b0 as smp-hub ships it: safetensors with the classification head.
        var mit = new Segformer().Encoder.state_dict().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.clone())).ToList();
        mit.Add(new("head.weight", randn(1000, 256)));
        mit.Add(new("head.bias", randn(1000)));
        var mitPath = Path.Combine(dir.Path, "mit_b0.safetensors");
        PyTorchCheckpointWriter.SaveSafetensors(mitPath, mit);
        var seg = new Segformer();
        ModelZoo.LoadEncoderWeights(seg, mitPath);
        Assert.True(seg.state_dict()["encoder.block3.1.attn.kv.weight"].equal(mit.Single(p => p.Key == "block3.1.attn.kv.weight").Value).all().item<bool>());
    }
}
