using TorchSharp;
using PetSeg.Inference;
using PetSeg.Lab.Config;
using PetSeg.Models.Layers;
using PetSeg.Training;
using PetSeg.Training.Checkpoints;
using static TorchSharp.torch;

namespace PetSeg.Lab.Stages;

/// <summary>
/// A trained model as an experiment's evaluation scores it: its published weights, wrapped by its <c>tta:</c>, moved to
/// the stage's device (checkpoints are device-independent: loaded on the CPU, moved once) and, with
/// <c>eval_precision: bf16</c>, converted to bfloat16. The evaluate and ensemble stages both score through it.
/// </summary>
internal static class EvaluatedModel
{
    /// <returns>The model to score (disposing it disposes the trained model) and what its checkpoint says.</returns>
    public static (nn.Module<Tensor, Tensor> Model, CheckpointInfo Info) Load(string weightsPath, ExperimentConfig experiment, Device device)
    {
        var (trained, info) = TrainingCheckpoint.LoadModel(weightsPath);
        var model = FlipAveraged.Apply(trained, experiment.Tta); // its parameters are the trained model's
        if (device.type != DeviceType.CPU) model.to(device);
        if (experiment.EvalPrecision == Precision.Bf16) Bfloat16.Convert(model);
        return (model, info);
    }
}
