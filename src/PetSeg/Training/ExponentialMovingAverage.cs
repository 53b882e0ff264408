using PetSeg.Compute;
using TorchSharp;
using PetSeg.Models;
using static TorchSharp.torch;

namespace PetSeg.Training;

/// <summary>
/// An exponential moving average of a model's weights (<c>ema:</c>; timm's <c>ModelEmaV3</c>, PyTorch's
/// <c>AveragedModel</c> with an EMA function and <c>use_buffers=True</c>): after each optimizer step every
/// floating-point state entry — parameters and BatchNorm statistics — moves towards the model's,
/// avg ← avg + (1 − d)·(w − avg) (<c>lerp_</c>, as <c>torch._foreach_lerp_</c> does), and integer entries (BatchNorm's
/// batch count) are copied. The decay warms up as TensorFlow's <c>ExponentialMovingAverage(decay, num_updates)</c>
/// does, d = min(decay, (1 + n)/(10 + n)) for the update after n others, so a short run's average is not mostly its
/// random initial weights. The average is a model of its own (<see cref="Model"/>, on the trained model's device):
/// validation scores it and a run publishes it; the trained weights go on training untouched.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly List<(Tensor Average, Tensor Live, bool Floating)> _pairs = [];

    /// <param name="trained">The model the optimizer updates.</param>
    /// <param name="average">A fresh model of the same architecture, on the same device: it takes the trained model's weights now and owns nothing else.</param>
    /// <param name="decay">The decay the warm-up rises to (0 &lt; decay &lt; 1; 0.999 is typical).</param>
    public ExponentialMovingAverage(nn.Module<Tensor, Tensor> trained, nn.Module<Tensor, Tensor> average, double decay)
    {
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "an average's decay is between 0 and 1");
        (Model, Decay) = (average, decay);
        var live = trained.state_dict();
        using var noGrad = no_grad();
        foreach (var (name, t) in average.state_dict())
        {
            var source = live[name];
            t.copy_(source);
            _pairs.Add((t, source, t.is_floating_point()));
        }
        foreach (var p in average.parameters()) p.requires_grad = false; // never trained: the optimizer does not see it
        average.eval();
    }

    /// <summary>The average of <paramref name="trained"/>, a model of <paramref name="spec"/>, beside it on its device.</summary>
    public static ExponentialMovingAverage For(nn.Module<Tensor, Tensor> trained, ModelSpec spec, double decay)
    {
        var average = ModelZoo.Create(spec);
        try { return new ExponentialMovingAverage(trained, average.to(ModelDevice.Of(trained)), decay); }
        catch { average.Dispose(); throw; }
    }

    /// <summary>The model holding the average; the caller owns it.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    public double Decay { get; }

    /// <summary>The decay of the update that follows <paramref name="previousUpdates"/> others.</summary>
    public static double DecayAfter(double decay, long previousUpdates) => Math.Min(decay, (1.0 + previousUpdates) / (10.0 + previousUpdates));

    /// <summary>Moves the average towards the trained weights, after optimizer step number <paramref name="step"/> (1 for the first).</summary>
    public void Update(long step)
    {
        double weight = 1 - DecayAfter(Decay, step - 1);
        using var noGrad = no_grad();
        foreach (var (average, live, floating) in _pairs)
        {
            if (floating) average.lerp_(live, weight);
            else average.copy_(live);
        }
    }
}
