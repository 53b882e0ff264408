using PetSeg.Models;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Tests.Cli;

/// <summary>`petseg predict` as a user runs it: a real process, a checkpoint file, a JPEG of an odd size.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class PredictCommandTests
{
    [Fact]
    public void Writes_a_mask_and_an_overlay_at_the_images_own_size()
    {
        using var dir = new TempDir();
        using (var img = new Image<Rgb24>(50, 37))
        {
            for (int y = 0; y < 37; y++) for (int x = 0; x < 50; x++) img[x, y] = new Rgb24((byte)(x * 5), (byte)(y * 6), 90);
            img.SaveAsJpeg(dir["cat.jpg"]);
        }
        // An untrained model whose prediction holds both classes, so the exact comparison below covers pet and background.
        var spec = new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32);
        for (int seed = 1; ; seed++)
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            var candidate = ModelZoo.Create(spec);
            var predicted = PetSeg.Inference.Predictor.Predict(candidate, dir["cat.jpg"], 32).Mask;
            if (!(predicted.Contains((byte)0) && predicted.Contains((byte)1))) { Assert.True(seed < 200, "no seed predicts both classes"); continue; }
            TrainingCheckpoint.Save(dir["model.ckpt"], candidate, null, new CheckpointInfo(spec, 3, "test", 0, [0.5, 0.4, 0.3]));
            break;
        }

        var (exit, output) = CliProcess.Run("predict", "--checkpoint", dir["model.ckpt"], "--image", dir["cat.jpg"], "--out", dir["mask.png"], "--overlay", dir["overlay.png"]);
        Assert.True(exit == 0, output);
        Assert.Contains("50×37", output);
        using var mask = Image.Load<L8>(dir["mask.png"]);
        Assert.Equal((50, 37), (mask.Width, mask.Height));
        var written = new byte[50 * 37];
        mask.CopyPixelDataTo(written);
        // Exactly the library's prediction for this image (255 = pet), not merely "some 0/255 values".
        var (model, info) = TrainingCheckpoint.LoadModel(dir["model.ckpt"]);
        using (model)
        {
            var expected = PetSeg.Inference.Predictor.Predict(model, dir["cat.jpg"], info.Model.ImageSize).Mask.Select(v => (byte)(v == 1 ? 255 : 0)).ToArray();
            Assert.Equal(expected, written);
            Assert.Contains((byte)255, expected);
            Assert.Contains((byte)0, expected);
        }
        using var overlay = Image.Load<Rgb24>(dir["overlay.png"]);
        Assert.Equal((50, 37), (overlay.Width, overlay.Height));

        // A store entry's folder (model.safetensors) or a run folder (last.ckpt) is accepted as the help says.
        Directory.CreateDirectory(dir["run"]);
        Directory.CreateDirectory(dir["entry"]);
        File.Copy(dir["model.ckpt"], dir["run/last.ckpt"]);
        File.Copy(dir["model.ckpt"], dir["entry/model.safetensors"]);
        foreach (var folder in new[] { dir["entry"], dir["run"] })
        {
            File.Delete(dir["mask.png"]);
            (exit, output) = CliProcess.Run("predict", "--checkpoint", folder, "--image", dir["cat.jpg"], "--out", dir["mask.png"]);
            Assert.True(exit == 0, output);
            using var again = Image.Load<L8>(dir["mask.png"]);
            var bytes = new byte[50 * 37];
            again.CopyPixelDataTo(bytes);
            Assert.Equal(written, bytes);
        }

        // A truncated checkpoint says so, with what it has and what it needs.
        var full = File.ReadAllBytes(dir["model.ckpt"]);
        File.WriteAllBytes(dir["cut.ckpt"], full[..(full.Length - 1000)]);
        (exit, output) = CliProcess.Run("predict", "--checkpoint", dir["cut.ckpt"], "--image", dir["cat.jpg"], "--out", dir["mask2.png"]);
        Assert.Equal(1, exit);
        Assert.Contains($"is truncated: it has {full.Length - 1000:N0} bytes, its header needs {full.Length:N0}", output);
        Assert.False(File.Exists(dir["mask2.png"]));
    }

    [Fact]
    public void A_missing_checkpoint_is_one_clear_error_line()
    {
        using var dir = new TempDir();
        var (exit, output) = CliProcess.Run("predict", "--checkpoint", dir["nope.ckpt"], "--image", dir["x.jpg"]);
        Assert.Equal(1, exit);
        Assert.Contains("error: checkpoint", output);
        Assert.Contains("nope.ckpt", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }
}
