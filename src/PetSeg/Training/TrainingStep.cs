using PetSeg.Compute;
using PetSeg.Training.Losses;
using PetSeg.Training.Optim;
using static TorchSharp.torch;

namespace PetSeg.Training;

/// <summary>
/// One optimisation step exactly as the trainer runs it: zero the gradients, train-mode forward (through the bf16
/// shadow when training in bf16), <see cref="SegmentationLoss"/>, backward, gradient clipping where set, optimizer step. The PyTorch parity tests
/// drive this same object, so what they check is what trains.
/// </summary>
public sealed class TrainingStep
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly AdamOptimizer optimizer;
    private readonly Bf16Shadow? shadow;

    /// <summary>Settles the compute backend first (<see cref="ComputeBackend.EnsureChecked(TorchSharp.torch.Device, bool)"/>: once per process and device), so no step runs on kernels that failed the numerics self-check.</summary>
    public TrainingStep(nn.Module<Tensor, Tensor> model, AdamOptimizer optimizer, Bf16Shadow? shadow = null)
    {
        ComputeBackend.EnsureChecked(ModelDevice.Of(model), bf16: shadow is not null);
        (this.model, this.optimizer, this.shadow) = (model, optimizer, shadow);
    }

    /// <summary>The step a run's settings ask for (its loss, its gradient clipping): one place for the trainer and the range test.</summary>
    /// <param name="classWeights">The run's class weights as resolved on its data (<see cref="ClassWeights.Resolve"/>); null: none.</param>
    public static TrainingStep For(TrainSettings settings, nn.Module<Tensor, Tensor> model, AdamOptimizer optimizer, Bf16Shadow? shadow, IReadOnlyList<double>? classWeights = null) =>
        new(model, optimizer, shadow) { GradClip = settings.GradClip, Loss = classWeights is null ? settings.Objective : settings.Objective.WeightedBy(classWeights) };

    public AdamOptimizer Optimizer => optimizer;

    /// <summary>What the step minimises (<c>loss:</c>); the lab's cross-entropy unless set.</summary>
    public SegmentationLoss Loss { get; init; } = SegmentationLoss.CrossEntropy;

    /// <summary>Clip the gradients' global 2-norm to this before each update (<c>grad_clip:</c>), or null for none (the lab).</summary>
    public double? GradClip { get; init; }

    /// <param name="input">The model's input (already normalised), N×3×H×W float32.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    /// <returns>The batch's loss before the update.</returns>
    /// <exception cref="TrainingDivergedException">The loss is not finite: nothing was updated.</exception>
    /// <param name="timings">Records each phase's wall time (benchmarks), or null.</param>
    public float Run(Tensor input, Tensor target, StepTimings? timings = null)
    {
        using var scope = NewDisposeScope();
        timings?.Start();
        model.train();
        optimizer.ZeroGrad();
        var net = shadow?.Prepare(training: true) ?? model;
        if (shadow is not null) { input = input.to_type(ScalarType.BFloat16); timings?.End(StepPhase.CopyWeights); }
        var loss = Loss.Compute(net.call(input), target);
        float value = loss.item<float>();
        if (!float.IsFinite(value)) throw new TrainingDivergedException($"the loss is {value}", value);
        timings?.End(StepPhase.ForwardAndLoss);
        loss.backward();
        timings?.End(StepPhase.Backward);
        if (shadow is not null) { shadow.PushBack(); timings?.End(StepPhase.GradientsToFp32); }
        if (GradClip is { } maxNorm) optimizer.ClipGradNorm(maxNorm).Dispose(); // on the fp32 gradients the update uses
        optimizer.StepOnce();
        timings?.End(StepPhase.Optimizer);
        return value;
    }
}
