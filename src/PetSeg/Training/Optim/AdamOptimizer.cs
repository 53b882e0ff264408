using PetSeg.Compute;
using TorchSharp;
using static TorchSharp.torch;
using PetSeg.Models.Layers;

namespace PetSeg.Training.Optim;

/// <summary>
/// Adam/AdamW exactly as PyTorch's single-tensor CPU path computes them, with the state kept by parameter name so it
/// can be saved in a checkpoint and restored bit for bit (TorchSharp's own optimizers have no portable state format).
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    private readonly List<(string Name, Tensor Param)> _params;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> _state = [];

    public AdamSettings Settings { get; }
    public long Step { get; private set; }

    /// <summary>The rate the next steps take: the settings' unless a schedule sets it (per epoch, as a PyTorch scheduler sets the param group's lr).</summary>
    public double LearningRate { get; set; }

    public AdamOptimizer(IEnumerable<(string Name, TorchSharp.Modules.Parameter Param)> parameters, AdamSettings settings)
    {
        Settings = settings;
        LearningRate = settings.LearningRate;
        _params = parameters.Where(p => p.Param.requires_grad).Select(p => (p.Name, (Tensor)p.Param)).ToList();
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _params)
            if (p.grad is { } g) { g.Dispose(); p.grad = null; }
    }

    public void StepOnce()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Step++;
        var s = Settings;
        double bc1 = 1 - Math.Pow(s.Beta1, Step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(s.Beta2, Step));
        double stepSize = LearningRate / bc1;
        // Every scalar argument as one disposed Scalar per step, never an implicit conversion (see Scalars): with
        // them RSS grew ~40 MB per Unet step unless a forced GC per batch ran their finalizers.
        using var beta2 = s.Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - s.Beta2).ToScalar();
        using var bc2 = bc2Sqrt.ToScalar();
        using var eps = s.Eps.ToScalar();
        using var minusStep = (-stepSize).ToScalar();
        using var decayFactor = (1 - LearningRate * s.WeightDecay).ToScalar();
        using var weightDecay = s.WeightDecay.ToScalar();
        foreach (var (name, p) in _params)
        {
            // Each `p.grad` read makes a new handle; dispose it now rather than leave it to a finalizer.
            using var gradHandle = p.grad;
            if (gradHandle is null) continue;
            var grad = gradHandle;
            if (!_state.TryGetValue(name, out var st))
            {
                st = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                _state[name] = st;
            }
            if (s.WeightDecay != 0)
            {
                if (s.Decoupled) p.mul_(decayFactor);
                else grad = grad.add(p, alpha: weightDecay);
            }
            st.ExpAvg.lerp_(grad, 1 - s.Beta1); // the weight becomes a scoped 0-d tensor here, not a Scalar
            st.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
            using var denom = st.ExpAvgSq.sqrt().div_(bc2).add_(eps, alpha: Scalars.One); // freed per parameter, not at the end of the step
            p.addcdiv_(st.ExpAvg, denom, value: minusStep);
        }
    }

    /// <summary>
    /// Scales the gradients so that their global 2-norm is at most <paramref name="maxNorm"/>, as
    /// <c>torch.nn.utils.clip_grad_norm_</c> computes it (per-tensor norms, the norm of those, a coefficient
    /// <c>max_norm / (norm + 1e-6)</c> clamped to 1 that every gradient is multiplied by); returns the norm before, a
    /// 0-d tensor on the parameters' device (reading it would wait for a GPU: the training step does not).
    /// </summary>
    public Tensor ClipGradNorm(double maxNorm)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var grads = new List<Tensor>(_params.Count);
        try
        {
            foreach (var (_, p) in _params)
                if (p.grad is { } g) grads.Add(g);
            if (grads.Count == 0) return zeros(1).squeeze().MoveToOuterDisposeScope();
            // norm(): linalg.vector_norm(x) makes its order's Scalar inside TorchSharp, which nothing keeps (ScalarTemporariesTests);
            // ATen's norm computes with linalg_vector_norm_out, so the bits are the same.
            var total = stack([.. grads.Select(g => g.norm())]).norm();
            using var eps = 1e-6.ToScalar();
            using var max = maxNorm.ToScalar();
            using var one = 1.0.ToScalar();
            // PyTorch's `max_norm / t` is `t.reciprocal() * max_norm`: the same operations, so the same bits.
            var coef = total.add(eps, Scalars.One).reciprocal_().mul_(max).clamp_max_(one);
            foreach (var g in grads) g.mul_(coef);
            return total.MoveToOuterDisposeScope();
        }
        finally { foreach (var g in grads) g.Dispose(); } // each `p.grad` read is a handle of its own
    }

    /// <summary>State tensors by <c>&lt;param&gt;.exp_avg</c> / <c>.exp_avg_sq</c>, plus the step count.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateDict()
    {
        foreach (var (name, (m, v)) in _state.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            yield return new($"{name}.exp_avg", m);
            yield return new($"{name}.exp_avg_sq", v);
        }
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, long step)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in _params)
        {
            if (!state.TryGetValue($"{name}.exp_avg", out var m) || !state.TryGetValue($"{name}.exp_avg_sq", out var v)) continue;
            if (!m.shape.SequenceEqual(p.shape)) throw new InvalidDataException($"optimizer state for '{name}' has shape [{string.Join(",", m.shape)}], parameter has [{string.Join(",", p.shape)}]");
            if (_state.Remove(name, out var old)) { old.ExpAvg.Dispose(); old.ExpAvgSq.Dispose(); }
            using var scope = NewDisposeScope(); // to()'s results stay referenced while clone() copies them
            _state[name] = (m.to(p.dtype, p.device).clone().DetachFromDisposeScope(), v.to(p.dtype, p.device).clone().DetachFromDisposeScope());
        }
        Step = step;
    }

    public void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
    }
}
