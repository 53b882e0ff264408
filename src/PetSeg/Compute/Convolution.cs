using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Compute;

/// <summary>
/// conv2d on the kernel path the self-check chose (<see cref="ComputeBackend.Path"/>): the models' narrow
/// convolutions (heads) call this, and so does the check, so what is checked is what trains.
/// </summary>
public static class Convolution
{
    /// <summary>Output channels from which oneDNN's kernels were right in every case measured (numerics.md: 360 cases).</summary>
    public const long NarrowChannels = 16;

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long stride = 1, long padding = 0, long groups = 1)
    {
        long outChannels = weight.size(0);
        bool pad = outChannels < NarrowChannels && groups == 1 && ComputeBackend.Path == KernelPath.PaddedNarrowConvolutions;
        using var scope = NewDisposeScope();
        if (pad)
        {
            var extra = NarrowChannels - outChannels;
            weight = cat([weight, zeros([extra, weight.size(1), weight.size(2), weight.size(3)], weight.dtype, weight.device)], 0);
            if (bias is not null) bias = cat([bias, zeros([extra], bias.dtype, bias.device)], 0);
        }
        input = Perturbed(input, pad ? NarrowChannels : outChannels);
        var y = F.conv2d(input, weight, bias, strides: [stride, stride], padding: [padding, padding], groups: groups);
        if (pad) y = y.narrow(1, 0, outChannels);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>The input unchanged, whose gradient comes back ×1.5 where <see cref="ComputeBackend.Fault"/> hits this fp32/bf16 convolution.</summary>
    private static Tensor Perturbed(Tensor input, long computedChannels)
    {
        var fault = ComputeBackend.Fault;
        bool onednn = input.device_type == TorchSharp.DeviceType.CPU && ComputeBackend.Path != KernelPath.OneDnnOff; // oneDNN is the CPU's
        bool hit = fault switch
        {
            InjectedFault.NarrowConvolutions => onednn && computedChannels < NarrowChannels,
            InjectedFault.OneDnn => onednn,
            InjectedFault.Everywhere => true,
            _ => false,
        };
        // float64 is the check's reference and never runs on oneDNN, so no fault reaches it (as with the real one).
        if (!hit || !input.requires_grad || input.dtype == ScalarType.Float64) return input;
        // x + 0.5·(x − x.detach()): the same values (the difference is exactly zero), gradient 1.5·g.
        return input + (input - input.detach()) * 0.5;
    }
}
