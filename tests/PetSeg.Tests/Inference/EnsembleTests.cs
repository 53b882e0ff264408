using PetSeg.Compute;
using PetSeg.Inference;
using PetSeg.Models;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Inference;

/// <summary>An ensemble is the mean of its members' class probabilities, and refuses members that cannot be averaged.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class EnsembleTests
{
    [Fact]
    public void An_ensemble_is_the_mean_of_its_members_softmax_and_predicts_its_argmax()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var a = ModelZoo.Create(new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32));
        var b = ModelZoo.Create(new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32));
        var c = ModelZoo.Create(new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32));
        var ensemble = new Ensemble([a, b, c]);
        ensemble.eval();
        Assert.False(b.training); // eval() reaches every member
        using var noGrad = no_grad();
        var x = randn(2, 3, 32, 32);

        var expected = softmax(a.call(x), 1).Plus(softmax(b.call(x), 1)).Plus(softmax(c.call(x), 1)).div(Scalars.Of(3L));
        var got = ensemble.call(x);
        Assert.True(got.allclose(expected, rtol: 1e-6, atol: 1e-7), $"max difference {got.Minus(expected).abs().max().item<float>()}");
        Assert.True(got.sum(1).allclose(ones(2, 32, 32), atol: 1e-5)); // probabilities
        // The members disagree somewhere, so the mean is not any one of them: the test can tell an ensemble of one.
        Assert.False(softmax(a.call(x), 1).argmax(1).eq(got.argmax(1)).all().item<bool>() && softmax(b.call(x), 1).argmax(1).eq(got.argmax(1)).all().item<bool>()
                     && softmax(c.call(x), 1).argmax(1).eq(got.argmax(1)).all().item<bool>());

        var images = randint(0, 256, [2, 3, 32, 32], dtype: ScalarType.Byte);
        var normalized = PetSeg.Models.Input.ImageNetNormalize.Apply(images);
        var mean = softmax(a.call(normalized), 1).Plus(softmax(b.call(normalized), 1)).Plus(softmax(c.call(normalized), 1)).div(Scalars.Of(3L));
        Assert.True(ClassPredictor.PredictClasses(ensemble, images).eq(mean.argmax(1).to_type(ScalarType.Byte)).all().item<bool>());
        Assert.Equal(a.parameters().Count() * 3, ensemble.parameters().Count()); // the members' weights, none of its own
        Assert.Throws<ArgumentException>(() => new Ensemble([a]));
    }

    [Fact]
    public void Members_of_other_classes_sizes_or_tiles_cannot_be_averaged()
    {
        var unet = new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 64);
        Assert.Null(Ensemble.Mismatch(unet, new ModelSpec(ModelZoo.SimpleVit, ImageSize: 64))); // architectures may differ
        Assert.Equal("2 classes and 3", Ensemble.Mismatch(unet, unet with { Classes = 3 }));
        Assert.Equal("trained at 64² and at 32²", Ensemble.Mismatch(unet, unet with { ImageSize = 32 }));
        Assert.Equal("whole images and tiles of images scaled by 0.5", Ensemble.Mismatch(unet, unet with { TileScale = 0.5 }));
    }
}
