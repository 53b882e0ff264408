using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Models.Layers;

/// <summary>
/// <c>nn.BatchNorm2d</c> with the same state_dict (weight, bias, running_mean, running_var, num_batches_tracked) and
/// the same arithmetic, minus TorchSharp's <c>num_batches_tracked.add_(1)</c>, which converts two Scalars per layer
/// per training step that only a finalizer frees (see <see cref="Scalars"/>).
/// </summary>
public sealed class TrackedBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
    : BatchNorm(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
{
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input (got {input.ndim}D input)");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (training) num_batches_tracked!.add_(Scalars.One, Scalars.One);
        return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum ?? 0.1, eps);
    }
}
