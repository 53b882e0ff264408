using PetSeg.Models;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg predict` as a user runs it: a real process, a checkpoint file, a JPEG of an odd size; each mask compared
/// with the library's prediction in this process (so the class is in the torch collection: its models draw from
/// torch's generator). Its refusals and error messages, which need no model here, are <see cref="PredictCommandRefusalsTests"/>.
/// </summary>
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

    /// <summary>A checkpoint of an untrained SimpleUNet whose masks hold both classes on these images.</summary>
    private static void SaveModelPredictingBothClasses(string path, IReadOnlyList<string> images)
    {
        var spec = new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32);
        for (int seed = 1; ; seed++)
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            var candidate = ModelZoo.Create(spec);
            var masks = images.Select(i => PetSeg.Inference.Predictor.Predict(candidate, i, 32).Mask).ToList();
            if (!masks.All(m => m.Contains((byte)0) && m.Contains((byte)1))) { Assert.True(seed < 400, "no seed predicts both classes"); continue; }
            TrainingCheckpoint.Save(path, candidate, null, new CheckpointInfo(spec, 3, "test", 0, [0.5]));
            return;
        }
    }

    private static byte[] MaskPixels(string path)
    {
        using var mask = Image.Load<L8>(path);
        var bytes = new byte[mask.Width * mask.Height];
        mask.CopyPixelDataTo(bytes);
        return bytes;
    }

    [Fact]
    public void A_folder_is_segmented_in_batches_into_a_folder_and_an_unreadable_image_is_named_while_the_others_are_written()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["photos"]);
        var sizes = new[] { ("a.jpg", 50, 37), ("b.png", 29, 41), ("c.jpeg", 64, 20) };
        foreach (var (name, w, h) in sizes)
        {
            using var img = new Image<Rgb24>(w, h);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img[x, y] = new Rgb24((byte)(x * 5 + name[0]), (byte)(y * 6), (byte)(90 + x * y % 50));
            img.Save(dir[$"photos/{name}"]);
        }
        File.WriteAllText(dir["photos/notes.txt"], "not an image: not a candidate either");
        var images = sizes.Select(s => dir[$"photos/{s.Item1}"]).ToList();
        SaveModelPredictingBothClasses(dir["model.ckpt"], images);
        File.WriteAllBytes(dir["photos/broken.jpg"], [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]); // a JPEG's first bytes, then nothing

        // Batches of 2 over 4 candidates: the broken one is in the first batch with a readable one.
        var (exit, output) = CliProcess.Run("predict", dir["photos"], "--checkpoint", dir["model.ckpt"], "--batch", "2", "--out", dir["masks"], "--overlay", dir["overlays"]);
        Assert.Equal(1, exit);
        Assert.Contains($"error: {dir["photos/broken.jpg"]}:", output);
        Assert.Contains("predict: 3 of 4 images", output);
        Assert.Contains("1 of 4 image(s) could not be read (named above); the others' masks were written", output);
        Assert.DoesNotContain("NNPACK", output); // single images at 32² asked libtorch for NNPACK at every convolution: thousands of warnings on Zen 5
        Assert.DoesNotContain("   at ", output);
        Assert.Equal(["a.png", "b.png", "c.png"], Directory.GetFiles(dir["masks"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(3, Directory.GetFiles(dir["overlays"]).Length);

        // Each mask is the image's own, at its size, as one image through the library predicts it.
        var (model, info) = TrainingCheckpoint.LoadModel(dir["model.ckpt"]);
        using (model)
            foreach (var (name, w, h) in sizes)
            {
                var written = MaskPixels(dir[$"masks/{Path.GetFileNameWithoutExtension(name)}.png"]);
                Assert.Equal(w * h, written.Length);
                var expected = PetSeg.Inference.Predictor.Predict(model, dir[$"photos/{name}"], info.Model.ImageSize).Mask.Select(v => (byte)(v == 1 ? 255 : 0)).ToArray();
                // Batched and single forwards may take other kernels: a pixel at a near-tie may flip, no more.
                Assert.True(expected.Zip(written).Count(p => p.First != p.Second) <= 0.001 * written.Length + 1, $"{name}: the batched mask differs from the single image's");
                using var overlay = Image.Load<Rgb24>(dir[$"overlays/{Path.GetFileNameWithoutExtension(name)}.png"]);
                Assert.Equal((w, h), (overlay.Width, overlay.Height));
            }
    }

    [Fact]
    public void Plain_pytorch_weights_with_their_architecture_named_predict_what_the_library_predicts()
    {
        using var dir = new TempDir();
        TestImages.WriteGradient(dir["dog.png"], 45, 52);
        // A state_dict PyTorch wrote (fp16 safetensors), and the same weights as torch.save's zip .pth.
        var safetensors = SharedFixtures.Path("fixtures/models/simple_unet.weights.safetensors");
        byte[] expected;
        using (var scope = NewDisposeScope())
        {
            var model = ModelZoo.Create(new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 48));
            ModelZoo.LoadPyTorchWeights(model, safetensors);
            PetSeg.Models.Weights.PyTorchCheckpointWriter.SaveZip(dir["simple_unet.pth"], model.state_dict());
            expected = PetSeg.Inference.Predictor.Predict(model, dir["dog.png"], 48).Mask.Select(v => (byte)(v == 1 ? 255 : 0)).ToArray();
        }
        foreach (var (file, kind) in new[] { (safetensors, "safetensors"), (dir["simple_unet.pth"], "zip .pth") })
        {
            File.Delete(dir["mask.png"]);
            var (exit, output) = CliProcess.Run("predict", dir["dog.png"], "--checkpoint", file, "--model", "simple-unet", "--size", "48", "--out", dir["mask.png"]);
            Assert.True(exit == 0, output);
            Assert.Contains($"simple-unet at 48², PyTorch weights ({kind})", output);
            Assert.Equal(expected, MaskPixels(dir["mask.png"]));
        }
    }
}
