using PetSeg.Inference;
using PetSeg.Models;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Inference;

/// <summary>Plain PyTorch weights say how many classes they tell apart by their head, on every architecture.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class PredictionModelTests
{
    [Theory]
    [InlineData(ModelZoo.UnetResNet34)]
    [InlineData(ModelZoo.SegformerMitB0)]
    [InlineData(ModelZoo.SimpleUnet)]
    [InlineData(ModelZoo.SimpleVit)]
    public void Plain_weights_of_more_classes_load_into_a_head_of_as_many(string architecture)
    {
        using var dir = new TempDir();
        foreach (var classes in new[] { 3, 2, 5 })
        {
            using var scope = NewDisposeScope();
            manual_seed(classes);
            var model = ModelZoo.Create(new ModelSpec(architecture, Classes: classes, ImageSize: 32));
            var file = dir[$"{classes}.pth"];
            PyTorchCheckpointWriter.SaveZip(file, model.state_dict());

            using var loaded = PredictionModel.Load(file, architecture, 32);
            Assert.Equal(classes, loaded.Spec.Classes);
            var expected = model.state_dict();
            foreach (var (key, value) in loaded.Model.state_dict())
                Assert.True(value.eq(expected[key]).all().item<bool>(), $"{architecture}, {classes} classes: {key} differs");
        }
    }
}
