using static TorchSharp.torch;

namespace PetSeg.Models.Hooks;

/// <summary>
/// A model that can report the outputs of its named sub-modules for one input, under the names PyTorch's forward hooks
/// use (<c>encoder.out2</c>, <c>decoder</c>, …), so a parity failure can be traced to the first sub-module that diverged.
/// </summary>
public interface ITraceable
{
    /// <summary>Named intermediate outputs in forward order; the tensors belong to the caller's dispose scope.</summary>
    IReadOnlyList<(string Name, Tensor Output)> Trace(Tensor input);
}
