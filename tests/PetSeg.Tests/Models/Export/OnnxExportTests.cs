using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PetSeg.Inference;
using PetSeg.Models;
using PetSeg.Models.Export;
using PetSeg.Models.Input;
using PetSeg.Tests.Support;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace PetSeg.Tests.Models.Export;

/// <summary>
/// An exported model, run by ONNX Runtime as a .NET app would run it, gives what the model gives in TorchSharp: the
/// same logits to float rounding and the same mask, from the same uint8 image (the normalisation is inside the file).
/// BatchNorm's running statistics are drawn at random first, so that an eval-mode BatchNorm is not the identity. Every
/// encoder family under every decoder, and the lab's two models.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class OnnxExportTests
{
    [Theory]
    [InlineData("unet-resnet18", 64, 96)]
    [InlineData("unet-resnet18", 72, 88)]      // not multiples of 32: each decoder stage resizes to its skip's exact size
    [InlineData("unet-resnet50", 64, 64)]      // Bottleneck blocks
    [InlineData("segformer-mit_b0", 64, 96)]   // the lab's Segformer
    [InlineData("segformer-resnet18", 64, 64)] // the other encoder under each decoder: five stages, the stem resized down
    [InlineData("unet-mit_b0", 64, 64)]        // no stride-2 skip
    [InlineData("simple-unet", 48, 64)]
    [InlineData("simple-vit", 64, 64)]
    [InlineData("unet-resnet18", 64, 96, true)] // tta: hflip inside the file, as FlipAveraged computes it
    [InlineData("segformer-mit_b0", 64, 64, true)]
    public void Onnx_runtime_computes_what_the_model_computes(string architecture, int height, int width, bool hflip = false)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(7);
        var spec = new ModelSpec(architecture, ImageSize: 64);
        using var model = ModelZoo.Create(spec);
        using (no_grad())
            foreach (var (name, buffer) in model.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(randn_like(buffer));
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(rand_like(buffer).add_(PetSeg.Compute.Scalars.Of(0.5), PetSeg.Compute.Scalars.One));
            }
        model.eval();
        var path = dir["model.onnx"];
        OnnxExport.Write(spec, model.state_dict(), path, flipAveraged: hflip);
        using var evaluated = hflip ? new FlipAveraged(model) : null; // what an experiment with tta: hflip evaluates
        var computes = (nn.Module<Tensor, Tensor>?)evaluated ?? model;

        var images = randint(0, 256, [2, 3, height, width], dtype: ScalarType.Byte);
        Tensor expected;
        using (no_grad()) expected = computes.call(ImageNetNormalize.Apply(images)).contiguous();

        using var session = new InferenceSession(path);
        Assert.Equal(["image"], session.InputMetadata.Keys);
        Assert.Equal(["logits", "mask"], session.OutputMetadata.Keys);
        Assert.Equal("64", session.ModelMetadata.CustomMetadataMap["petseg.image_size"]);
        Assert.Equal("0 background, 1 pet", session.ModelMetadata.CustomMetadataMap["petseg.classes"]);
        Assert.StartsWith(architecture, session.ModelMetadata.CustomMetadataMap["petseg.model"]);
        Assert.Equal("petseg", session.ModelMetadata.ProducerName);
        Assert.Equal(hflip ? "hflip" : "none", session.ModelMetadata.CustomMetadataMap["petseg.tta"]);
        var input = new DenseTensor<byte>(images.data<byte>().ToArray(), [2, 3, height, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", input)]);
        var logits = results.Single(r => r.Name == "logits").AsTensor<float>();
        var mask = results.Single(r => r.Name == "mask").AsTensor<byte>();
        Assert.Equal([2, 2, height, width], logits.Dimensions.ToArray());
        Assert.Equal([2, height, width], mask.Dimensions.ToArray());

        var ours = expected.data<float>().ToArray();
        var theirs = logits.ToArray();
        double scale = ours.Max(v => Math.Abs(v)), worst = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-4 * scale, $"logits differ by {worst:G3} (largest logit {scale:G3})");
        // The mask is the argmax: equal wherever the two classes' logits are not within rounding of each other.
        var pixels = height * width;
        var maskBytes = mask.ToArray();
        int compared = 0;
        for (int n = 0; n < 2; n++)
            for (int p = 0; p < pixels; p++)
            {
                float c0 = ours[(n * 2) * pixels + p], c1 = ours[(n * 2 + 1) * pixels + p];
                if (Math.Abs(c0 - c1) <= 1e-3 * scale) continue;
                Assert.Equal(c1 > c0 ? 1 : 0, maskBytes[n * pixels + p]);
                compared++;
            }
        Assert.True(compared > pixels, $"only {compared} of {2 * pixels} pixels had a clear class");
    }

    [Fact]
    public void Weights_of_another_model_are_refused_by_the_first_key_missing_and_nothing_is_written()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var weights = new Dictionary<string, Tensor> { ["conv1.0.weight"] = zeros(32, 3, 3, 3) };
        var wrong = Assert.Throws<InvalidDataException>(() => OnnxExport.Write(new ModelSpec("unet-resnet34"), weights, dir["m.onnx"]));
        Assert.Equal("the weights have no 'encoder.conv1.weight', which a unet-resnet34 has: they are not a unet-resnet34's", wrong.Message);
        Assert.False(File.Exists(dir["m.onnx"]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path)); // no temporary file either
    }
}
