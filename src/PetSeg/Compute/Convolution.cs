using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Compute;

/// <summary>
/// conv2d on the kernel path the self-check chose (<see cref="ComputeBackend.Path"/>): the models' narrow
/// convolutions (heads) and ResNet's 1×1 convolutions call this, and so does the check, so what is checked is what
/// trains. Where oneDNN computes, a convolution may run with zero filters added (<see cref="ComputedOutputChannels"/>)
/// and keep its real output channels: the same values, computed where oneDNN is right and does not crash.
/// </summary>
public static class Convolution
{
    /// <summary>Output channels from which oneDNN's kernels were right in every case measured (numerics.md: 360 cases).</summary>
    public const long NarrowChannels = 16;

    /// <summary>
    /// The (input, output) channels of the 1×1 convolutions for which oneDNN's blocking heuristic (libtorch 2.10's,
    /// <c>est_eff_1x1</c> in <c>jit_brgemm_conv_utils.cpp</c>: its "maskrcnn workaround") divides by an integer that is
    /// zero for small feature maps, and the process dies of SIGFPE. It also hits the input gradient of a convolution the
    /// other way round (1024→256), which oneDNN computes as this forward one. All are in ResNet-50/101/152's last two
    /// stages. Measured on AMD Zen 5, on every oneDNN instruction set it offers there (AVX2 to AVX-512 BF16), fp32 and
    /// bf16, from 2×2 to 28×28 maps: strided ones crash in training; unit-stride ones where the gradient arrives
    /// channels-last, as inside a ResNet.
    /// </summary>
    public static readonly IReadOnlyList<(long In, long Out)> OneDnnDivideByZeroChannels = [(1024, 2048), (1024, 512), (256, 1024), (512, 1024), (512, 2048)];

    /// <summary>Zero filters added to a convolution on <see cref="OneDnnDivideByZeroChannels"/>: one 16-channel block, off the list.</summary>
    public const long DivideByZeroPadding = 16;

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long stride = 1, long padding = 0, long groups = 1)
    {
        long outChannels = weight.size(0);
        // oneDNN is the CPU's, and float64 (the check's reference) never runs on it.
        bool onednn = input.device_type == TorchSharp.DeviceType.CPU && input.dtype != ScalarType.Float64 && ComputeBackend.Path != KernelPath.OneDnnOff;
        long computed = ComputedOutputChannels(weight.size(1) * groups, outChannels, weight.size(2), weight.size(3), groups, onednn, ComputeBackend.Path);
        using var scope = NewDisposeScope();
        if (computed > outChannels)
        {
            var extra = computed - outChannels;
            weight = cat([weight, zeros([extra, weight.size(1), weight.size(2), weight.size(3)], weight.dtype, weight.device)], 0);
            if (bias is not null) bias = cat([bias, zeros([extra], bias.dtype, bias.device)], 0);
        }
        input = Perturbed(input, computed, onednn);
        var y = F.conv2d(input, weight, bias, strides: [stride, stride], padding: [padding, padding], groups: groups);
        if (computed > outChannels) y = y.narrow(1, 0, outChannels);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// How many output channels a convolution computes with (its own, or more with zero filters): narrow ones padded to
    /// <see cref="NarrowChannels"/> on the padded path, and 1×1 ones on <see cref="OneDnnDivideByZeroChannels"/> (either way round) on any
    /// path where oneDNN computes (<paramref name="onednn"/>: a CPU tensor in fp32 or bf16, oneDNN not switched off).
    /// </summary>
    public static long ComputedOutputChannels(long inChannels, long outChannels, long kernelHeight, long kernelWidth, long groups, bool onednn, KernelPath path)
    {
        if (!onednn || groups != 1) return outChannels;
        if (outChannels < NarrowChannels && path == KernelPath.PaddedNarrowConvolutions) return NarrowChannels;
        if (kernelHeight == 1 && kernelWidth == 1
            && (OneDnnDivideByZeroChannels.Contains((inChannels, outChannels)) || OneDnnDivideByZeroChannels.Contains((outChannels, inChannels))))
            return outChannels + DivideByZeroPadding;
        return outChannels;
    }

    /// <summary>The input unchanged, whose gradient comes back ×1.5 where <see cref="ComputeBackend.Fault"/> hits this fp32/bf16 convolution.</summary>
    private static Tensor Perturbed(Tensor input, long computedChannels, bool onednn)
    {
        bool hit = ComputeBackend.Fault switch
        {
            InjectedFault.NarrowConvolutions => onednn && computedChannels < NarrowChannels,
            InjectedFault.OneDnn => onednn,
            InjectedFault.Everywhere => true,
            _ => false,
        };
        // float64 is the check's reference and never runs on oneDNN, so no fault reaches it (as with the real one).
        if (!hit || !input.requires_grad || input.dtype == ScalarType.Float64) return input;
        // x + 0.5·(x − x.detach()): the same values (the difference is exactly zero), gradient 1.5·g.
        using var detached = input.detach();
        return input.Plus(input.Minus(detached).mul(Scalars.Of(0.5)));
    }
}
