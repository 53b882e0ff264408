using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Workflow.Runner;
using PetSeg.Lab.Stages;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Store;

/// <summary>
/// A stage re-hashes what it reads before reading it: bit rot in the tensor cache that keeps size and mtime (which
/// the digest memo cannot see) is caught before a training uses it, and the damaged result is rebuilt in the same run.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class VerifiedInputsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public VerifiedInputsTests() => File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);

    [Fact]
    public void Bit_rot_in_the_tensor_cache_is_caught_before_training_reads_it_and_rebuilt()
    {
        var config = PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
        var first = LabPipeline.Runner(config, NullProgressSink.Instance).Run("train-tiny");
        var trainKey = first.Single(r => r.Stage == "train-tiny").Key;
        var cache = PreprocessStage.CachePath(config, "trainval");
        var clean = File.ReadAllBytes(cache);
        var rotten = (byte[])clean.Clone();
        rotten[rotten.Length / 2] ^= 0x10; // a pixel: size kept
        var mtime = File.GetLastWriteTimeUtc(cache);
        File.WriteAllBytes(cache, rotten);
        File.SetLastWriteTimeUtc(cache, mtime); // mtime kept: the memo still calls it fresh

        var ui = new ProgressLines();
        var again = LabPipeline.Runner(config, ui).Run("train-tiny", force: true);
        Assert.Contains(ui.All, l => l.Contains("train-tiny: input preprocess/trainval.petc is damaged", StringComparison.Ordinal));
        Assert.Contains(again, r => r.Stage == StageIds.Preprocess && r.Outcome == StageOutcome.Executed);
        Assert.Equal(clean, File.ReadAllBytes(cache)); // rebuilt before training read it
        Assert.Equal(trainKey, again.Single(r => r.Stage == "train-tiny").Key); // so the training saw the same data
    }

    [Fact]
    public void Bit_rot_in_a_checkpoint_is_caught_before_evaluation_reads_it_and_the_training_reruns()
    {
        var config = PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
        LabPipeline.Runner(config, NullProgressSink.Instance).Run("evaluate-tiny");
        var ckpt = Directory.EnumerateFiles(_dir["out/store/objects"], "model.safetensors", SearchOption.AllDirectories).Single();
        var clean = File.ReadAllBytes(ckpt);
        var rotten = (byte[])clean.Clone();
        rotten[^100] ^= 0x01;
        var mtime = File.GetLastWriteTimeUtc(ckpt);
        File.WriteAllBytes(ckpt, rotten);
        File.SetLastWriteTimeUtc(ckpt, mtime);

        var ui = new ProgressLines();
        var again = LabPipeline.Runner(config, ui).Run("evaluate-tiny", force: true);
        Assert.Contains(ui.All, l => l.Contains("evaluate-tiny: input train-tiny/model.safetensors is damaged", StringComparison.Ordinal));
        Assert.Contains(again, r => r.Stage == "train-tiny" && r.Outcome == StageOutcome.Executed);
        var rebuilt = Directory.EnumerateFiles(_dir["out/store/objects"], "model.safetensors", SearchOption.AllDirectories).Single();
        Assert.Equal(clean, File.ReadAllBytes(rebuilt)); // retrained bit-identically, then evaluated
    }

    public void Dispose() => _dir.Dispose();
}
