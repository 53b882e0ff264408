using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PetSeg.Inference;

/// <summary>
/// Several trained models as one: the mean of their class probabilities (softmax over each model's logits), as nnU-Net
/// merges its folds and as ensembles of seeds are scored. Models trained from other seeds err in partly other places,
/// so their mean errs less than each; inference costs one forward pass per member. A wrapper like
/// <see cref="FlipAveraged"/>: evaluation and <c>predict</c> take it as any model (its argmax is the ensemble's
/// classes); it has no weights of its own, and disposing it disposes its members.
/// </summary>
public sealed class Ensemble : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> members;

    public Ensemble(IReadOnlyList<nn.Module<Tensor, Tensor>> models) : base(nameof(Ensemble))
    {
        if (models.Count < 2) throw new ArgumentException($"an ensemble takes two models or more, not {models.Count}", nameof(models));
        members = new ModuleList<nn.Module<Tensor, Tensor>>([.. models]);
        RegisterComponents();
    }

    /// <summary>Why two models cannot be averaged pixel for pixel (other classes, input size or tiles), or null when they can.</summary>
    public static string? Mismatch(Models.ModelSpec a, Models.ModelSpec b) =>
        a.Classes != b.Classes ? $"{a.Classes} classes and {b.Classes}"
        : a.ImageSize != b.ImageSize ? $"trained at {a.ImageSize}² and at {b.ImageSize}²"
        : a.TileScale != b.TileScale ? $"{Input(a)} and {Input(b)}"
        : null;

    private static string Input(Models.ModelSpec m) => m.TileScale is { } x ? $"tiles of images scaled by {x.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "whole images";

    /// <returns>The members' mean class probabilities, [N,C,H,W].</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor? sum = null;
        foreach (var m in members)
        {
            var p = softmax(m.call(x).to_type(ScalarType.Float32), 1);
            sum = sum is null ? p : sum.add_(p, Scalars.One);
        }
        return sum!.div_(Scalars.Of((double)members.Count)).MoveToOuterDisposeScope();
    }
}
