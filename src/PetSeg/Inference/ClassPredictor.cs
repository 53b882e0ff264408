using PetSeg.Compute;
using static TorchSharp.torch;
using PetSeg.Models.Layers;
using PetSeg.Models.Input;

namespace PetSeg.Inference;

/// <summary>
/// The one inference path (evaluation, <c>petseg predict</c>, the report's prediction grids): uint8 images →
/// ImageNet-normalize → forward in eval mode without gradients (in bfloat16 when the model is, see <see cref="Bfloat16"/>)
/// → argmax over classes.
/// </summary>
public static class ClassPredictor
{
    /// <param name="imagesUint8">[N,3,H,W] uint8.</param>
    /// <returns>[N,H,W] uint8 class indices on the model's device, in the caller's dispose scope. The model's train/eval mode is restored afterwards.</returns>
    public static Tensor PredictClasses(nn.Module<Tensor, Tensor> model, Tensor imagesUint8) => Forward(model, imagesUint8, probabilities: false);

    /// <summary>Class probabilities rather than classes: the softmax over the logits (an <see cref="Ensemble"/>'s output is already its members' mean of them).</summary>
    /// <returns>[N,C,H,W] float32 on the model's device, in the caller's dispose scope.</returns>
    public static Tensor PredictProbabilities(nn.Module<Tensor, Tensor> model, Tensor imagesUint8) => Forward(model, imagesUint8, probabilities: true);

    private static Tensor Forward(nn.Module<Tensor, Tensor> model, Tensor imagesUint8, bool probabilities)
    {
        ComputeBackend.EnsureChecked(ModelDevice.Of(model), bf16: Bfloat16.IsBfloat16(model)); // once per process: no prediction from kernels that failed the self-check
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var input = ImageNetNormalize.Apply(DeviceTransfer.ToDevice(imagesUint8, ModelDevice.Of(model)));
            if (Bfloat16.IsBfloat16(model)) input = input.to_type(ScalarType.BFloat16);
            var output = model.call(input);
            if (!probabilities) return output.argmax(1).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
            output = output.to_type(ScalarType.Float32);
            return (model is Ensemble ? output : softmax(output, 1)).MoveToOuterDisposeScope();
        }
        finally { if (wasTraining) model.train(); }
    }
}
