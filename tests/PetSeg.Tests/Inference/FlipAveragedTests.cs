using PetSeg.Compute;
using PetSeg.Inference;
using PetSeg.Models;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Inference;

/// <summary>Horizontal-flip test-time augmentation computes what ttach's flip wrapper computes, and is mirror-symmetric where the model is not.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class FlipAveragedTests
{
    [Fact]
    public void Flip_tta_is_the_mean_of_the_logits_of_the_image_and_its_mirror()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var model = ModelZoo.Create(new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32));
        var tta = new FlipAveraged(model);
        tta.eval();
        Assert.False(model.training); // the wrapper's mode is the model's: eval() reaches it
        using var noGrad = no_grad();
        var x = randn(2, 3, 32, 32);

        var got = tta.call(x);
        var expected = model.call(x).Plus(model.call(x.flip(3)).flip(3)).div(Scalars.Of(2L));
        Assert.True(got.eq(expected).all().item<bool>(), $"max difference {got.Minus(expected).abs().max().item<float>()}");
        // Mirroring the input mirrors the output exactly (the two views are swapped, and their sum commutes) ...
        Assert.True(tta.call(x.flip(3)).eq(got.flip(3)).all().item<bool>());
        // ... which the model alone does not do: the test would not notice a wrapper that returned model(x).
        Assert.False(model.call(x.flip(3)).flip(3).eq(model.call(x)).all().item<bool>());

        // The same parameters, under model. (nothing of its own to export), and the one inference path takes it.
        Assert.Equal(model.named_parameters().Select(p => "model." + p.name), tta.named_parameters().Select(p => p.name));
        var images = randint(0, 256, [2, 3, 32, 32], dtype: ScalarType.Byte);
        var classes = ClassPredictor.PredictClasses(tta, images);
        var normalized = PetSeg.Models.Input.ImageNetNormalize.Apply(images);
        var mean = model.call(normalized).Plus(model.call(normalized.flip(3)).flip(3)).div(Scalars.Of(2L));
        Assert.True(classes.eq(mean.argmax(1).to_type(ScalarType.Byte)).all().item<bool>());

        Assert.Same(model, FlipAveraged.Apply(model, TestTimeAugmentation.None));
        Assert.IsType<FlipAveraged>(FlipAveraged.Apply(model, TestTimeAugmentation.HorizontalFlip));
        tta.Dispose();
        model.Dispose(); // disposing the wrapper disposed the model; a second dispose (the caller's own) is harmless
    }

    [Fact]
    public void Names_parse_and_print_back()
    {
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, TestTimeAugmentations.Parse("hflip"));
        Assert.Equal(TestTimeAugmentation.None, TestTimeAugmentations.Parse("none"));
        Assert.All(TestTimeAugmentations.Names, n => Assert.Equal(n, TestTimeAugmentations.Parse(n).Name()));
        Assert.Contains("expected one of none, hflip", Assert.Throws<ArgumentException>(() => TestTimeAugmentations.Parse("vflip")).Message);
    }
}
