using PetSeg.Compute;
using PetSeg.Models;
using PetSeg.Models.Decoders;
using PetSeg.Models.Encoders;
using PetSeg.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Tests.Models.Decoders;

/// <summary>
/// smp's decoders on the other family's encoder: Segformer on a ResNet takes five stages (the stride-2 stem resized
/// down to stride 4), Unet on a MiT skips nothing at stride 2 (the placeholder has no channels). The lab's pairings
/// are fixture-checked; these are held to smp 0.5's decoder code written out here.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class DecoderPairingTests
{
    /// <summary>
    /// smp 0.5's SegformerDecoder.forward as it is: every feature but the input (less a 0-channel one) through its MLP,
    /// resized bilinearly to the input's size // 4, concatenated deepest first, 1×1 conv, BatchNorm, ReLU. Ours fuses
    /// each part at its own resolution first; in float64 the two agree to rounding.
    /// </summary>
    [Theory]
    [InlineData("resnet18", 5)]
    [InlineData("mit_b0", 4)]
    public void The_segformer_decoder_on_any_encoder_equals_smps_forward(string encoderName, int stages)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var info = EncoderRegistry.Get(encoderName);
        using var encoder = info.Create(3);
        using var decoder = new SegformerDecoder([3, .. info.OutChannels.Skip(1)]);
        encoder.to(ScalarType.Float64);
        decoder.to(ScalarType.Float64);
        encoder.eval();
        decoder.eval();
        var state = decoder.state_dict();
        using (no_grad())
        {
            state["fuse_stage.1.running_mean"].copy_(rand_like(state["fuse_stage.1.running_mean"]).add_(Scalars.Of(-0.5), Scalars.One));
            state["fuse_stage.1.running_var"].copy_(rand_like(state["fuse_stage.1.running_var"]).add_(Scalars.Of(0.5), Scalars.One));
        }
        var features = encoder.call(randn(2, 3, 64, 64, dtype: ScalarType.Float64));
        var ours = decoder.call(features);

        var kept = features.Skip(1).Where(f => f.size(1) > 0).Reverse().ToArray();
        Assert.Equal(stages, kept.Length);
        Assert.Equal(stages, state.Keys.Count(k => k.EndsWith(".linear.weight", StringComparison.Ordinal)));
        var resized = kept.Select((f, i) =>
        {
            long b = f.size(0), h = f.size(2), w = f.size(3);
            var mlp = F.linear(f.flatten(2).transpose(1, 2), state[$"mlp_stage.{i}.linear.weight"], state[$"mlp_stage.{i}.linear.bias"]).transpose(1, 2).reshape(b, -1, h, w);
            return F.interpolate(mlp, [64 / 4, 64 / 4], mode: InterpolationMode.Bilinear, align_corners: false);
        }).ToArray();
        var fused = F.conv2d(cat(resized, 1), state["fuse_stage.0.weight"]);
        var smp = F.relu(F.batch_norm(fused, state["fuse_stage.1.running_mean"], state["fuse_stage.1.running_var"], state["fuse_stage.1.weight"], state["fuse_stage.1.bias"], training: false, eps: 1e-5));
        Assert.Equal(smp.shape, ours.shape);
        Assert.True(allclose(ours, smp, 1e-9, 1e-9), $"max {ours.Minus(smp).abs().max().item<double>()}");
    }

    [Fact]
    public void Unet_on_a_mit_has_no_stride_2_skip_and_segments_at_the_input_size()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var unet = ModelZoo.Create(new ModelSpec("unet-mit_b0"));
        var state = unet.state_dict();
        Assert.Equal([32L, 64, 3, 3], state["decoder.blocks.3.conv1.0.weight"].shape); // 64 upsampled channels + none skipped
        Assert.Equal([64L, 128 + 32, 3, 3], state["decoder.blocks.2.conv1.0.weight"].shape); // the stride-4 stage is a skip
        unet.eval();
        Assert.Equal([2L, 2, 64, 64], unet.call(randn(2, 3, 64, 64)).shape);
        using var segformer = ModelZoo.Create(new ModelSpec("segformer-resnet34"));
        segformer.eval();
        Assert.Equal([2L, 2, 64, 64], segformer.call(randn(2, 3, 64, 64)).shape);
        Assert.Equal([256L, 5 * 256, 1, 1], segformer.state_dict()["decoder.fuse_stage.0.weight"].shape);
    }
}
