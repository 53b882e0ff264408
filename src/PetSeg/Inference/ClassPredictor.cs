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
    public static Tensor PredictClasses(nn.Module<Tensor, Tensor> model, Tensor imagesUint8)
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
            return model.call(input).argmax(1).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
        }
        finally { if (wasTraining) model.train(); }
    }
}
