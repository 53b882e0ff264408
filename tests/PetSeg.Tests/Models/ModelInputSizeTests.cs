using PetSeg.Models;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Models;

/// <summary>
/// The sizes a model is said to take (<see cref="ModelZoo.SizeProblem"/>, what pipeline.yaml, predict, score and the
/// benchmarks check) against its real forward pass: every size it takes gives a mask of that size, and a size refused
/// because of the model's own layers fails or gives a mask of another size.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class ModelInputSizeTests
{
    /// <summary>Refused by convention rather than arithmetic: smp's Segformer asks for multiples of 32 on any encoder.</summary>
    private const string ByConvention = "segformer-resnet18";

    [Theory]
    [InlineData(ModelZoo.UnetResNet34)]
    [InlineData(ModelZoo.SegformerMitB0)]
    [InlineData(ModelZoo.SimpleUnet)]
    [InlineData("unet-mit_b0")]
    [InlineData(ByConvention)]
    public void A_size_the_model_takes_gives_a_mask_of_that_size_and_one_it_refuses_would_not(string architecture)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(new ModelSpec(architecture));
        model.eval();
        using var noGrad = no_grad();
        int taken = 0, refused = 0;
        foreach (var size in new[] { 32, 33, 34, 36, 40, 64 })
        {
            var problem = ModelZoo.SizeProblem(new ModelSpec(architecture), size);
            long[]? shape;
            try { shape = model.call(zeros(1, 3, size, size)).shape; }
            catch (Exception e) when (e is ArgumentException or System.Runtime.InteropServices.ExternalException) { shape = null; }
            if (problem is null)
            {
                Assert.True(shape is not null, $"{architecture} takes {size}², yet its forward pass failed");
                Assert.Equal([1L, 2, size, size], shape);
                taken++;
            }
            else
            {
                Assert.StartsWith($"{architecture} needs an image size divisible by ", problem);
                if (architecture != ByConvention) Assert.False(shape is [_, _, var h, var w] && h == size && w == size, $"{architecture} refuses {size}², yet gave a {size}² mask");
                refused++;
            }
        }
        Assert.True(taken >= 2, "32² and 64² are taken by every model");
        Assert.Equal(architecture == ModelZoo.UnetResNet34 ? 0 : 4 - (architecture == ModelZoo.SimpleUnet ? 2 : 0), refused);
    }

    [Fact]
    public void A_simple_vit_takes_only_the_size_it_was_built_for()
    {
        var spec = new ModelSpec(ModelZoo.SimpleVit, ImageSize: 64);
        Assert.Null(ModelZoo.SizeProblem(spec, 64));
        Assert.Equal("simple-vit takes only the size it was built for, 64² (one position embedding per 16-px patch), not 32²", ModelZoo.SizeProblem(spec, 32));
        Assert.Equal("simple-vit needs an image size divisible by its patch size, 16", ModelZoo.SizeProblem(spec with { ImageSize = 40 }, 40));
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(spec);
        model.eval();
        using var noGrad = no_grad();
        Assert.Equal([1L, 2, 64, 64], model.call(zeros(1, 3, 64, 64)).shape);
        Assert.Throws<ArgumentException>(() => model.call(zeros(1, 3, 32, 32)));
    }
}
