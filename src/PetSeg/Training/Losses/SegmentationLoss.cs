using PetSeg.Compute;
using PetSeg.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Training.Losses;

/// <summary>
/// What a training minimises (<c>loss:</c>): the lab's cross-entropy, smp's Dice, Jaccard, Lovász or focal loss, or
/// cross-entropy plus Dice — what a segmentation sweep usually compares. Each leaves trimap border pixels (255) out and is computed from the logits in
/// at least fp32 (a bf16 model's logits are widened first, as the lab's <c>logits.float()</c>).
/// </summary>
public sealed class SegmentationLoss
{
    /// <summary>The lab's: <c>CrossEntropyLoss(ignore_index=255)(logits.float(), target)</c>, the mean over non-ignored pixels.</summary>
    public static readonly SegmentationLoss CrossEntropy = new("ce", "cross-entropy", CrossEntropyOf);

    /// <summary>smp's <c>DiceLoss("multiclass", ignore_index=255)</c> (<see cref="DiceLoss"/>).</summary>
    public static readonly SegmentationLoss Dice = new("dice", "Dice (smp's DiceLoss)", DiceLoss.Compute);

    /// <summary>smp's <c>JaccardLoss("multiclass", ignore_index=255)</c> (<see cref="JaccardLoss"/>): 1 − the soft IoU the lab reports.</summary>
    public static readonly SegmentationLoss Jaccard = new("jaccard", "Jaccard (smp's JaccardLoss)", JaccardLoss.Compute);

    /// <summary>Cross-entropy plus Dice, weighted one to one (MONAI's <c>DiceCELoss</c> defaults; the usual smp recipe).</summary>
    public static readonly SegmentationLoss CrossEntropyDice = new("ce+dice", "cross-entropy + Dice", (logits, target) => CrossEntropyOf(logits, target).Plus(DiceLoss.Compute(logits, target)));

    /// <summary>smp's <c>LovaszLoss("multiclass", ignore_index=255)</c> (<see cref="LovaszLoss"/>): the Lovász-Softmax surrogate of 1 − IoU.</summary>
    public static readonly SegmentationLoss Lovasz = new("lovasz", "Lovász-Softmax (smp's LovaszLoss)", LovaszLoss.Compute);

    /// <summary>smp's <c>FocalLoss("multiclass", ignore_index=255)</c> (<see cref="FocalLoss"/>): per-class sigmoid focal loss, gamma 2.</summary>
    public static readonly SegmentationLoss Focal = new("focal", "focal (smp's FocalLoss, gamma 2)", FocalLoss.Compute);

    private static readonly SegmentationLoss[] All = [CrossEntropy, Dice, Jaccard, CrossEntropyDice, Lovasz, Focal];

    /// <summary>The names <c>loss:</c> takes.</summary>
    public static string[] Names => [.. All.Select(l => l.Name)];

    /// <summary>The loss named <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public static SegmentationLoss Parse(string name) =>
        All.FirstOrDefault(l => l.Name == name) ?? throw new ArgumentException($"unknown loss '{name}'; expected one of {string.Join(", ", Names)}", nameof(name));

    private readonly Func<Tensor, Tensor, Tensor> compute;

    private SegmentationLoss(string name, string description, Func<Tensor, Tensor, Tensor> compute) => (Name, Description, this.compute) = (name, description, compute);

    /// <summary>As pipeline.yaml and the stage key write it.</summary>
    public string Name { get; }

    /// <summary>As the training log names it.</summary>
    public string Description { get; }

    /// <param name="logits">N×C×H×W.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    /// <returns>A scalar on the logits' device.</returns>
    public Tensor Compute(Tensor logits, Tensor target) => compute(logits, target);

    private static Tensor CrossEntropyOf(Tensor logits, Tensor target) => CrossEntropyOf(logits, target, null);

    /// <param name="weights">Per class, PyTorch's <c>weight=</c> (the mean is then weighted by the targets' weights); null: none.</param>
    private static Tensor CrossEntropyOf(Tensor logits, Tensor target, float[]? weights)
    {
        using var scope = NewDisposeScope(); // the converted inputs stay referenced while cross_entropy reads them
        var w = weights is null ? null : tensor(weights, device: logits.device); // C numbers, made where the logits are
        return F.cross_entropy(logits.to_type(ScalarType.Float32), target.to_type(ScalarType.Int64), w, ignore_index: SegmentationLabels.IgnoreIndex)
            .MoveToOuterDisposeScope();
    }

    /// <summary>Whether <c>class_weights:</c> applies: the losses with a cross-entropy term (smp's Dice, Jaccard, Lovász and focal take none).</summary>
    public bool TakesClassWeights => Name == CrossEntropy.Name || Name == CrossEntropyDice.Name;

    /// <summary>This loss with its cross-entropy weighted by class (<see cref="ClassWeights"/>); the Dice term of ce+dice is not.</summary>
    public SegmentationLoss WeightedBy(IReadOnlyList<double> weights)
    {
        if (!TakesClassWeights) throw new InvalidOperationException($"the {Name} loss takes no class weights");
        var w = weights.Select(v => (float)v).ToArray();
        var description = $"{Description}, weighted by class ({string.Join(", ", weights.Select(v => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))})";
        return Name == CrossEntropy.Name
            ? new SegmentationLoss(Name, description, (logits, target) => CrossEntropyOf(logits, target, w))
            : new SegmentationLoss(Name, description, (logits, target) => CrossEntropyOf(logits, target, w).Plus(DiceLoss.Compute(logits, target)));
    }

    public override string ToString() => Name;
}
