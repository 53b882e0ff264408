using PetSeg.Compute;
using TorchSharp;
using PetSeg.Models;
using static TorchSharp.torch;
using PetSeg.Models.Layers;

namespace PetSeg.Training;

/// <summary>
/// bfloat16 training with fp32 master weights, the part of PyTorch's autocast that TorchSharp lacks: a bf16 copy of
/// the model runs forward and backward (on CPUs with AMX-BF16 or AVX512-BF16 about twice as fast), while the fp32
/// model keeps the weights the optimizer updates, the checkpoints and the evaluation. Each step copies the weights
/// down, and the gradients and BatchNorm statistics back up, in fp32.
/// </summary>
public sealed class Bf16Shadow : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _work;
    private readonly List<(Tensor Master, Tensor Work, bool IsParameter)> _pairs = [];
    private readonly List<(TorchSharp.Modules.Parameter Master, TorchSharp.Modules.Parameter Work)> _parameters;

    public Bf16Shadow(nn.Module<Tensor, Tensor> master, ModelSpec spec)
    {
        _work = ModelZoo.Create(spec);
        _work.to(ModelDevice.Of(master)); // beside the master, on its device
        Bfloat16.Convert(_work); // the copy_ of each step keeps its channels-last convolution weights
        var work = _work.state_dict();
        var parameters = master.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, t) in master.state_dict())
            if (t.is_floating_point()) _pairs.Add((t, work[name], parameters.Contains(name)));
        // Matched once by name (the work model was converted before this, so its Parameter objects are final).
        var workParameters = _work.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        _parameters = master.named_parameters().Select(p => (p.parameter, workParameters[p.name])).ToList();
    }

    /// <summary>The bf16 model for this step, holding the current master weights.</summary>
    public nn.Module<Tensor, Tensor> Prepare(bool training)
    {
        using var noGrad = no_grad();
        foreach (var (m, w, _) in _pairs) w.copy_(m);
        if (training) _work.train(); else _work.eval();
        return _work;
    }

    /// <summary>After backward: fp32 gradients onto the master parameters, updated BatchNorm statistics back to the master.</summary>
    public void PushBack()
    {
        using var noGrad = no_grad();
        foreach (var (master, work) in _parameters)
        {
            using var g = work.grad;
            if (g is null) continue;
            using var g32 = g.to_type(ScalarType.Float32);
            master.grad = g32.is_contiguous() ? g32.alias() : g32.contiguous(); // the optimizer runs on the master's (contiguous) layout
            work.grad = null;
        }
        foreach (var (m, w, isParameter) in _pairs)
            if (!isParameter) m.copy_(w);
    }

    public void Dispose() => _work.Dispose();
}
