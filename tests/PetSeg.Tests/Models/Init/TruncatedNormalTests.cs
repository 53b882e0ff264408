using PetSeg.Compute;
using PetSeg.Models.Encoders;
using PetSeg.Models.Init;
using PetSeg.Tests.Support;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PetSeg.Tests.Models.Init;

/// <summary>
/// The truncated normal MiT's Linear layers start from (PyTorch's <c>trunc_normal_(std=0.02)</c>), and the
/// TorchSharp function it replaces, which filled every weight with the std and, now and then, a NaN.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class TruncatedNormalTests
{
    [Fact]
    public void Draws_have_the_truncated_normals_moments_and_stay_within_the_bounds()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // MiT's use: std 0.02 with the default bounds ±2, a hundred σ away: a plain normal.
        var w = TruncatedNormal.Fill_(empty(1_000_000), std: 0.02).to(ScalarType.Float64);
        Assert.Equal(0, w.isnan().sum().item<long>());
        Assert.InRange(w.mean().item<double>(), -1e-4, 1e-4);
        Assert.InRange(w.std().item<double>(), 0.02 * 0.995, 0.02 * 1.005);
        // Cut at ±2σ: the standard normal's variance less 2·2·φ(2)/(Φ(2) − Φ(−2)), std 0.87962; nothing beyond the cut.
        var t = TruncatedNormal.Fill_(empty(1_000_000), mean: 1, std: 1, a: -1, b: 3).to(ScalarType.Float64);
        Assert.InRange(t.min().item<double>(), -1, -0.999);
        Assert.InRange(t.max().item<double>(), 2.999, 3);
        Assert.InRange(t.mean().item<double>(), 0.997, 1.003);
        Assert.InRange(t.std().item<double>(), 0.87962 * 0.995, 0.87962 * 1.005);
    }

    /// <summary>Why it exists: if a TorchSharp upgrade fixes <c>init.trunc_normal_</c>, this says so.</summary>
    [Fact]
    public void TorchSharps_trunc_normal_fills_the_std_instead_of_drawing()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var w = nn.init.trunc_normal_(empty(100_000), std: 0.02);
        var finite = w[w.isfinite()];
        Assert.True(finite.eq(Scalars.Of((double)0.02f)).all().item<bool>());
    }

    /// <summary>MiT-b1 at seed 1 is the encoder whose synthetic ImageNet file held a NaN (block4.1.mlp.fc1.weight).</summary>
    [Fact]
    public void A_mit_encoder_starts_from_distinct_finite_weights()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var encoder = EncoderRegistry.Get("mit_b1").Create(3);
        foreach (var (name, p) in encoder.named_parameters()) Assert.Equal(0, p.isnan().sum().item<long>());
        foreach (var (name, m) in encoder.named_modules())
        {
            if (m is not Linear l) continue;
            Assert.InRange(l.weight!.std().item<float>(), 0.019f, 0.021f);
        }
    }
}
