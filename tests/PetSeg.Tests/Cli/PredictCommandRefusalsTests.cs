using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Tests.Cli;

/// <summary>
/// What `petseg predict` refuses and how it says so: outputs that would overwrite inputs, plain weights without their
/// architecture, another architecture's weights, a missing checkpoint or experiment result. The weights are
/// PyTorch's own (../shared/fixtures/models), so nothing here draws from torch's generator and the class runs beside
/// the others; what predict computes is checked against the library in <see cref="PredictCommandTests"/>.
/// </summary>
public sealed class PredictCommandRefusalsTests
{
    private static readonly string SimpleUnet = SharedFixtures.Path("fixtures/models/simple_unet.weights.safetensors");

    [Fact]
    public void Outputs_that_would_replace_an_input_or_each_other_are_refused_and_a_folder_of_one_image_is_still_a_folder()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["photos"]);
        TestImages.WriteGradient(dir["photos/a.jpg"], 50, 37);
        TestImages.WriteGradient(dir["photos/b.png"], 29, 41);
        string[] model = ["--checkpoint", SimpleUnet, "--model", "simple-unet", "--size", "32"];

        // A folder holding one image is still a folder: its mask goes into the --out folder under the image's name.
        Directory.CreateDirectory(dir["one"]);
        File.Copy(dir["photos/a.jpg"], dir["one/a.jpg"]);
        var (exit, output) = CliProcess.Run(["predict", dir["one"], .. model, "--out", dir["one-masks"]]);
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(dir["one-masks/a.png"]), output);

        // What would overwrite an input, or mix masks and overlays, is refused before anything is computed.
        (exit, output) = CliProcess.Run(["predict", dir["photos"], .. model, "--out", dir["photos"]]);
        Assert.Equal(1, exit);
        Assert.Contains("output would replace the image", output);
        (exit, output) = CliProcess.Run(["predict", dir["photos"], .. model, "--out", dir["m"], "--overlay", dir["m"]]);
        Assert.Equal(1, exit);
        Assert.Contains("need folders of their own", output);
        Assert.False(Directory.Exists(dir["m"]));
        File.WriteAllText(dir["notes.txt"], "a file");
        (exit, output) = CliProcess.Run(["predict", dir["photos"], .. model, "--out", dir["notes.txt"] + "/"]);
        Assert.Equal(1, exit);
        Assert.Contains("is a file; several images are written into a folder", output);
        Assert.DoesNotContain("   at ", output);
        (exit, output) = CliProcess.Run(["predict", dir["photos/a.jpg"], dir["elsewhere/a.png"], .. model]);
        Assert.Equal(1, exit);
        Assert.Contains($"{dir["elsewhere/a.png"]}: no such file or folder", output);
    }

    [Fact]
    public void Plain_weights_without_their_architecture_or_of_another_one_say_what_is_missing()
    {
        using var dir = new TempDir();
        TestImages.WriteGradient(dir["dog.png"], 45, 52);
        // The same state_dict as torch.save's zip .pth: the tensors as PyTorch wrote them, copied without a model.
        using (NewDisposeScope()) PyTorchCheckpointWriter.SaveZip(dir["simple_unet.pth"], PyTorchCheckpoint.Load(SimpleUnet));

        // Without --model the file cannot say what it is: the error says what to add.
        foreach (var (file, kind) in new[] { (SimpleUnet, "safetensors"), (dir["simple_unet.pth"], "zip .pth") })
        {
            var (exit, output) = CliProcess.Run("predict", dir["dog.png"], "--checkpoint", file, "--out", dir["other.png"]);
            Assert.Equal(1, exit);
            Assert.Contains($"holds plain PyTorch weights ({kind}), which do not say what model they are: name it with --model", output);
            Assert.False(File.Exists(dir["other.png"]));
        }

        // Another architecture's weights: the strict load names what does not fit, a dozen lines at most per kind.
        var (wrongExit, wrong) = CliProcess.Run("predict", dir["dog.png"], "--checkpoint", SharedFixtures.Path("fixtures/models/unet_resnet34.weights.safetensors"), "--model", "simple-unet");
        Assert.Equal(1, wrongExit);
        Assert.Contains("does not fit SimpleUNet", wrong);
        Assert.Contains("… and ", wrong);
        Assert.True(wrong.Split('\n').Length < 60, wrong);
        // A SimpleViT is built for one size: without --size the mismatch says so; with it, a mask at the image's size.
        var vit = SharedFixtures.Path("fixtures/models/simple_vit.weights.safetensors");
        var (vitExit, vitOutput) = CliProcess.Run("predict", dir["dog.png"], "--checkpoint", vit, "--model", "simple-vit", "--out", dir["vit.png"]);
        Assert.Equal(1, vitExit);
        Assert.Contains("give that size with --size", vitOutput);
        (vitExit, vitOutput) = CliProcess.Run("predict", dir["dog.png"], "--checkpoint", vit, "--model", "simple-vit", "--size", "64", "--out", dir["vit.png"]);
        Assert.True(vitExit == 0, vitOutput);
        using var mask = Image.Load<L8>(dir["vit.png"]);
        Assert.Equal((45, 52), (mask.Width, mask.Height));
    }

    [Fact]
    public void A_size_the_model_cannot_take_is_refused_before_an_image_is_read()
    {
        // It was an ArgumentOutOfRangeException's stack trace: SimpleUNet's two poolings made a 32² mask of a 33² input.
        using var dir = new TempDir();
        TestImages.WriteGradient(dir["dog.png"], 45, 52);
        var (exit, output) = CliProcess.Run("predict", dir["dog.png"], "--checkpoint", SimpleUnet, "--model", "simple-unet", "--size", "33", "--out", dir["mask.png"]);
        Assert.Equal(1, exit);
        Assert.Contains("error: --size 33: simple-unet needs an image size divisible by 4 (its two 2×2 poolings, undone by two ×2 transposed convolutions)", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(File.Exists(dir["mask.png"]));
        (exit, output) = CliProcess.Run("predict", dir["dog.png"], "--checkpoint", SimpleUnet, "--model", "simple-unet", "--size", "36", "--out", dir["mask.png"]);
        Assert.True(exit == 0, output);
        using var mask = Image.Load<L8>(dir["mask.png"]);
        Assert.Equal((45, 52), (mask.Width, mask.Height));
    }

    [Fact]
    public void An_experiment_without_a_result_or_misspelt_says_what_to_do_and_the_model_options_are_checked()
    {
        // Predicting with a trained experiment is checked beside export, which trains one (ExportCommandTests).
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, output) = CliProcess.Run("predict", "--experiment", "tiny", "--config", dir["pipeline.yaml"], "--image", dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("train-tiny has no result for the current pipeline.yaml; run it first (petseg run train-tiny)", output);
        (exit, output) = CliProcess.Run("predict", dir["pipeline.yaml"], "--experiment", "tny", "--config", dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("no experiment 'tny'", output);
        Assert.Contains("did you mean 'tiny'?", output);
        var image = dir["pipeline.yaml"];
        foreach (var args in new[] { new[] { "predict", image }, ["predict", image, "--experiment", "tiny", "--checkpoint", dir["x.ckpt"]], ["predict", "--experiment", "tiny"],
                     ["predict", image, "--experiment", "tiny", "--model", "simple-unet"] })
        {
            (exit, output) = CliProcess.Run(args);
            Assert.True(exit == 2, string.Join(' ', args) + ": " + output);
        }
    }

    [Fact]
    public void A_missing_checkpoint_is_one_clear_error_line()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["x.jpg"], [0xFF, 0xD8, 0xFF]); // the image exists: the checkpoint is what is missing
        var (exit, output) = CliProcess.Run("predict", "--checkpoint", dir["nope.ckpt"], "--image", dir["x.jpg"]);
        Assert.Equal(1, exit);
        Assert.Contains("error: checkpoint", output);
        Assert.Contains("nope.ckpt", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }
}
