using TorchSharp;
using PetSeg.Compute;
using PetSeg.Models;
using PetSeg.Models.Encoders;
using PetSeg.Tests.Support;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Tests.Models.Encoders;

/// <summary>
/// The ResNet and MiT families beyond the lab's two encoders. The shared fixtures hold PyTorch's outputs for ResNet-34
/// and MiT-b0 only, so the others are held to what is published about them (torchvision's parameter counts, the
/// state_dict layout) and to torchvision's Bottleneck written out here as plain functional calls.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class EncoderFamilyTests
{
    /// <summary>torchvision's <c>num_params</c> (weights meta), classifier included: fc is in·1000 + 1000 of them.</summary>
    [Theory]
    [InlineData("resnet18", 11_689_512, 122)]
    [InlineData("resnet34", 21_797_672, 218)]
    [InlineData("resnet50", 25_557_032, 320)]
    [InlineData("resnet101", 44_549_160, 626)]
    [InlineData("resnet152", 60_192_808, 932)]
    public void A_resnet_has_torchvisions_parameters_and_state_dict_keys(string name, long torchvisionParams, int torchvisionKeys)
    {
        using var scope = NewDisposeScope();
        var info = EncoderRegistry.Get(name);
        using var encoder = info.Create(3);
        var fc = info.ImageNet.ClassifierInFeatures * 1000L + 1000;
        Assert.Equal(torchvisionParams, encoder.parameters().Sum(p => p.numel()) + fc);
        Assert.Equal(torchvisionKeys - 2, encoder.state_dict().Count); // torchvision's keys less fc.weight and fc.bias
        Assert.Equal(info.OutChannels[^1], info.ImageNet.ClassifierInFeatures);
        var x = encoder.call(zeros(1, 3, 64, 64));
        Assert.Equal(info.OutChannels, x.Select(f => (int)f.shape[1]));
        Assert.Equal([64L, 32, 16, 8, 4, 2], x.Select(f => f.shape[2]));
    }

    /// <summary>
    /// A ResNet-50 encoder's features equal torchvision's Bottleneck computed here from the same state_dict in float64
    /// (stride on the 3×3, ResNet v1.5; projection on the first block of each layer), with BatchNorm statistics drawn
    /// at random so that no normalisation is the identity.
    /// </summary>
    [Fact]
    public void Resnet50_features_equal_torchvisions_bottleneck_written_out()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var encoder = EncoderRegistry.Get("resnet50").Create(3);
        encoder.to(ScalarType.Float64);
        encoder.eval();
        var state = encoder.state_dict();
        using (no_grad())
        {
            foreach (var (key, t) in state)
            {
                if (!t.is_floating_point()) continue; // num_batches_tracked
                if (key.EndsWith("running_mean", StringComparison.Ordinal)) t.copy_(rand_like(t).add_(Scalars.Of(-0.5), Scalars.One));
                else if (key.EndsWith("running_var", StringComparison.Ordinal)) t.copy_(rand_like(t).add_(Scalars.Of(0.5), Scalars.One));
                else if (key.Contains("bn", StringComparison.Ordinal) || key.Contains("downsample.1", StringComparison.Ordinal))
                    t.copy_(key.EndsWith("weight", StringComparison.Ordinal) ? rand_like(t).add_(Scalars.Of(0.5), Scalars.One) : rand_like(t).add_(Scalars.Of(-0.5), Scalars.One));
            }
        }
        var input = randn(2, 3, 64, 64, dtype: ScalarType.Float64);
        var features = encoder.call(input);

        Tensor W(string k) => state[k];
        Tensor Bn(Tensor x, string p) => F.batch_norm(x, W(p + ".running_mean"), W(p + ".running_var"), W(p + ".weight"), W(p + ".bias"), training: false, eps: 1e-5);
        Tensor Conv(Tensor x, string p, long stride = 1, long pad = 0) => F.conv2d(x, W(p + ".weight"), strides: [stride, stride], padding: [pad, pad]);

        var h = F.relu(Bn(Conv(input, "conv1", 2, 3), "bn1"));
        Assert.True(allclose(h, features[1], 1e-10, 1e-10));
        h = F.max_pool2d(h, [3, 3], [2, 2], [1, 1]);
        int[] blocks = [3, 4, 6, 3];
        for (int layer = 0; layer < 4; layer++)
        {
            for (int b = 0; b < blocks[layer]; b++)
            {
                var p = $"layer{layer + 1}.{b}";
                long stride = b == 0 && layer > 0 ? 2 : 1;
                var o = F.relu(Bn(Conv(h, p + ".conv1"), p + ".bn1"));
                o = F.relu(Bn(Conv(o, p + ".conv2", stride, 1), p + ".bn2"));
                o = Bn(Conv(o, p + ".conv3"), p + ".bn3");
                var identity = b == 0 ? Bn(Conv(h, p + ".downsample.0", stride), p + ".downsample.1") : h;
                h = F.relu(o.Plus(identity));
            }
            Assert.True(allclose(h, features[layer + 2], 1e-10, 1e-10), $"layer{layer + 1} differs: max {h.Minus(features[layer + 2]).abs().max().item<double>()}");
        }
    }

    /// <summary>
    /// ResNet-50's blocks of its last two stages, a training step in fp32 on whatever oneDNN this machine has, give
    /// float64's output, input gradient and weight gradients to the self-check's fp32 tolerance. On an AMD Zen 5 their
    /// 1×1 convolutions kill the process (SIGFPE in oneDNN's blocking heuristic) unless <c>Convolution</c> adds filters
    /// to them; the 8×8 to 2×2 maps here are those stages' sizes at 64² to 256² images, where it crashed.
    /// </summary>
    [Theory]
    [InlineData(1024, 256, 1, 8)] // layer3.1–5: 1×1 1024→256 and 256→1024
    [InlineData(512, 256, 2, 8)]  // layer3.0: the projection 512→1024, stride 2
    [InlineData(1024, 512, 2, 4)] // layer4.0: 1024→512, 512→2048 and the projection 1024→2048, stride 2
    [InlineData(2048, 512, 1, 2)] // layer4.1–2: 2048→512 and 512→2048
    public void A_resnet50_block_trains_in_fp32_on_this_cpus_kernels_as_in_float64(int inPlanes, int planes, int stride, int size)
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var block = new Bottleneck(inPlanes, planes, stride);
        var input = randn(4, inPlanes, size, size);
        var outputGradient = randn(4, planes * Bottleneck.Expansion, size / stride, size / stride);
        (Tensor Output, Tensor[] Gradients) Step(ScalarType dtype)
        {
            using var grad = enable_grad();
            block.to(dtype);
            var x = input.to(dtype).detach().requires_grad_();
            var y = block.call(x);
            Tensor[] wrt = [x, .. block.parameters()];
            var gradients = autograd.grad([(y * outputGradient.to(dtype)).sum()], wrt);
            return (y.detach().to(ScalarType.Float64), gradients.Select(g => g.to(ScalarType.Float64)).ToArray());
        }
        var fp32 = Step(ScalarType.Float32);
        var fp64 = Step(ScalarType.Float64);
        static double Error(Tensor a, Tensor b) => (a.Minus(b).abs().max() / b.abs().max()).item<double>();
        Assert.True(Error(fp32.Output, fp64.Output) < NumericsCheck.Fp32Tolerance, $"output: {Error(fp32.Output, fp64.Output)}");
        var names = block.named_parameters().Select(p => p.name).Prepend("input").ToArray();
        var errors = fp64.Gradients.Select((g, i) => (names[i], Error(fp32.Gradients[i], g))).ToArray();
        Assert.All(errors, e => Assert.True(e.Item2 < NumericsCheck.Fp32Tolerance, $"{e.Item1} gradient: {e.Item2}"));
    }

    /// <summary>
    /// The MiT sizes have the SegFormer paper's encoder parameter counts (Table 1: millions to one decimal, not all
    /// rounded alike — b0, which equals smp on the fixture, has 3.32 M against its 3.4), so within 0.1 M: one block
    /// more or less in any stage but the first, or another width, is more than that. The blocks per stage are smp's.
    /// </summary>
    [Theory]
    [InlineData("mit_b0", 3.4, new[] { 2, 2, 2, 2 })]
    [InlineData("mit_b1", 13.1, new[] { 2, 2, 2, 2 })]
    [InlineData("mit_b2", 24.2, new[] { 3, 4, 6, 3 })]
    [InlineData("mit_b3", 44.0, new[] { 3, 4, 18, 3 })]
    [InlineData("mit_b4", 60.8, new[] { 3, 8, 27, 3 })]
    [InlineData("mit_b5", 81.4, new[] { 3, 6, 40, 3 })]
    public void A_mit_has_the_papers_encoder_parameters_and_smps_features(string name, double millions, int[] depths)
    {
        using var scope = NewDisposeScope();
        var info = EncoderRegistry.Get(name);
        using var encoder = info.Create(3);
        Assert.InRange(encoder.parameters().Sum(p => p.numel()) / 1e6, millions - 0.1, millions + 0.1);
        var keys = encoder.state_dict().Keys;
        Assert.Equal(depths, Enumerable.Range(1, 4).Select(s => keys.Where(k => k.StartsWith($"block{s}.", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Distinct().Count()));
        var x = encoder.call(zeros(1, 3, 64, 64));
        Assert.Equal(info.OutChannels, x.Select(f => (int)f.shape[1]));
        Assert.Equal([64L, 32, 16, 8, 4, 2], x.Select(f => f.shape[2]));
    }

    [Fact]
    public void Every_encoder_is_a_model_with_each_decoder_named_as_smp_names_them()
    {
        foreach (var e in EncoderRegistry.All)
        {
            Assert.Equal(e.Name, ModelZoo.EncoderName("unet-" + e.Name));
            Assert.Equal(e.Name, ModelZoo.EncoderName("segformer-" + e.Name));
            // Pretraining an encoder trains it inside its own family's decoder.
            Assert.Equal((EncoderRegistry.IsMit(e.Name) ? "segformer-" : "unet-") + e.Name, ModelZoo.ArchitectureWith(e.Name));
        }
        Assert.Equal(4 + 2 * EncoderRegistry.All.Count - 2, ModelZoo.Architectures.Count);
        Assert.Equal(["unet-resnet34", "segformer-mit_b0", "simple-unet", "simple-vit"], ModelZoo.LabArchitectures);
        Assert.Equal(ModelZoo.LabArchitectures, ModelZoo.Architectures.Take(4)); // the lab's first, as help lists them
        var e2 = Assert.Throws<ArgumentException>(() => ModelZoo.Create(new ModelSpec("unet-resnet51")));
        Assert.Contains("unknown model 'unet-resnet51' (did you mean 'unet-resnet50'?", e2.Message);
        Assert.Equal("0676ba61", EncoderRegistry.Get("resnet50").ImageNet.Sha256Prefix);
        Assert.Null(EncoderRegistry.Get("mit_b2").ImageNet.Sha256Prefix);
    }
}
