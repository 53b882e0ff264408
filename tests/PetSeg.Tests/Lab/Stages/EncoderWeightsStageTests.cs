using PetSeg.Compute;
using PetSeg.Lab;
using System.Security.Cryptography;
using PetSeg.Data.Download;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using PetSeg.Core;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Runner;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using static TorchSharp.torch;

namespace PetSeg.Tests.Lab.Stages;

/// <summary>
/// The weights stage over loopback HTTP: a torchvision-style zip .pth (with fc.*, without num_batches_tracked) and an
/// smp-hub-style MiT-b0 safetensors (with head.*), checksummed, then loaded into the untrained experiments' encoders.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class EncoderWeightsStageTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly LoopbackHttpServer _server = new();

    private (byte[] Resnet, byte[] Mit) WriteFiles()
    {
        using var scope = NewDisposeScope();
        manual_seed(77);
        var resnet = new Unet().Encoder.state_dict().Where(p => !p.Key.EndsWith("num_batches_tracked"))
            .Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.add(Scalars.Of(0.5), Scalars.One))).ToList();
        resnet.Add(new("fc.weight", randn(1000, 512)));
        resnet.Add(new("fc.bias", randn(1000)));
        PyTorchCheckpointWriter.SaveZip(_dir["resnet34.pth"], resnet);
        var mit = new Segformer().Encoder.state_dict().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.add(Scalars.Of(0.25), Scalars.One))).ToList();
        mit.Add(new("head.weight", randn(1000, 256)));
        mit.Add(new("head.bias", randn(1000)));
        PyTorchCheckpointWriter.SaveSafetensors(_dir["mit.safetensors"], mit);
        return (File.ReadAllBytes(_dir["resnet34.pth"]), File.ReadAllBytes(_dir["mit.safetensors"]));
    }

    private PipelineConfig Config(string resnetSha)
    {
        File.WriteAllText(_dir["pipeline.yaml"], $"""
            artifacts: out
            dataset: {"{"} source: synthetic, synthetic: {"{"} count: 8, min_width: 40, max_width: 48, min_height: 40, max_height: 48 {"}"}, download: {"{"} initial_backoff_seconds: 0.01, max_attempts: 2 {"}"} {"}"}
            preprocess: {"{"} image_size: 32 {"}"}
            weights:
              files:
                resnet34: {"{"} urls: [{_server.Url("models/resnet34-b627a593.pth")}], sha256: {resnetSha} {"}"}
                mit_b0: {"{"} urls: [{_server.Url("hub/mit_b0/model.safetensors")}] {"}"}
            experiments:
              unet-untrained: {"{"} model: unet-resnet34, epochs: 0 {"}"}
              segformer-untrained: {"{"} model: segformer-mit_b0, epochs: 0 {"}"}
            """);
        return PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
    }

    [Fact]
    public void Downloads_verifies_and_loads_the_encoder_weights_into_the_untrained_models()
    {
        var (resnet, mit) = WriteFiles();
        _server.Serve("cdn/resnet34.pth", resnet);
        _server.Redirect("models/resnet34-b627a593.pth", "/cdn/resnet34.pth"); // like download.pytorch.org → CDN
        _server.Serve("hub/mit_b0/model.safetensors", mit);
        using var http = new HttpClient();
        var runner = LabPipeline.Runner(Config(Convert.ToHexStringLower(SHA256.HashData(resnet))), NullProgressSink.Instance, http);
        var runs = runner.Run("train");
        Assert.Contains(runs, r => r.Stage == "weights" && r.Outcome == StageOutcome.Executed);

        using var scope = NewDisposeScope();
        var expected = PyTorchCheckpoint.Load(_dir["resnet34.pth"]).ToDictionary(p => p.Key, p => p.Value);
        var ckpt = Directory.GetFiles(_dir["out/store/objects"], "model.safetensors", SearchOption.AllDirectories)
            .Select(TrainingCheckpoint.LoadModel).Single(m => m.Info.Model.Architecture == "unet-resnet34").Model;
        var loaded = ckpt.state_dict();
        Assert.True(loaded["encoder.layer4.2.conv2.weight"].equal(expected["layer4.2.conv2.weight"]).all().item<bool>());
        Assert.True(loaded["encoder.bn1.running_var"].equal(expected["bn1.running_var"]).all().item<bool>());
        Assert.Equal(0, loaded["encoder.bn1.num_batches_tracked"].item<long>()); // absent from the file: PyTorch keeps the model's value

        // Second run: nothing downloaded again.
        int requests = _server.Requests;
        Assert.DoesNotContain(LabPipeline.Runner(Config(Convert.ToHexStringLower(SHA256.HashData(resnet))), NullProgressSink.Instance, http).Run("train"),
            r => r.Outcome == StageOutcome.Executed);
        Assert.Equal(requests, _server.Requests);
    }

    [Fact]
    public void A_file_that_does_not_match_its_pinned_checksum_is_refused()
    {
        var (resnet, mit) = WriteFiles();
        _server.Serve("models/resnet34-b627a593.pth", resnet);
        _server.Serve("hub/mit_b0/model.safetensors", mit);
        using var http = new HttpClient();
        var runner = LabPipeline.Runner(Config(new string('0', 64)), NullProgressSink.Instance, http);
        var e = Assert.Throws<DownloadException>(() => runner.Run("weights"));
        Assert.Contains("resnet34-b627a593.pth", e.Message);
        Assert.False(File.Exists(_dir["out/data/downloads/weights/imagenet/resnet34-b627a593.pth"]));
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }
}
