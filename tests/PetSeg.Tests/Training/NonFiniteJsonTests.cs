using PetSeg.Models;
using PetSeg.Tests.Support;
using PetSeg.Training;
using PetSeg.Training.Checkpoints;
using static TorchSharp.torch;

namespace PetSeg.Tests.Training;

/// <summary>
/// One rule for every JSON file we write: a non-finite number is written as "NaN" / "Infinity" and read back, never a
/// crash in the writer (a checkpoint's info once died on an infinite loss: "cannot be written as valid JSON").
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class NonFiniteJsonTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Losses_and_checkpoint_info_keep_nan_and_infinity()
    {
        var history = new LossHistory("x", [0.5, double.NaN], [[0.5], [double.PositiveInfinity, double.NaN]]);
        history.Write(_dir["losses.json"]);
        var text = File.ReadAllText(_dir["losses.json"]);
        Assert.Contains("\"NaN\"", text);
        Assert.Contains("\"Infinity\"", text);
        var back = LossHistory.Read(_dir["losses.json"]);
        Assert.True(double.IsNaN(back.EpochLosses[1]));
        Assert.True(double.IsPositiveInfinity(back.BatchLosses[1][0]));

        using var scope = NewDisposeScope();
        var spec = new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32);
        using var model = ModelZoo.Create(spec);
        TrainingCheckpoint.Save(_dir["last.ckpt"], model, null, new CheckpointInfo(spec, 1, "d", 0, [double.PositiveInfinity], BatchLosses: [[double.NaN]]));
        var info = TrainingCheckpoint.ReadInfo(_dir["last.ckpt"]);
        Assert.True(double.IsPositiveInfinity(info.EpochLosses[0]));
        Assert.True(double.IsNaN(info.BatchLosses![0][0]));
    }
}
