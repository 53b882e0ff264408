using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Models.Layers;

/// <summary>
/// A model in bfloat16 the way oneDNN's bf16 kernels want it: every floating-point tensor converted, and 4-D
/// (convolution) weights laid out channels-last like the activations, so no kernel reorders them per call (what
/// PyTorch's <c>model.to(memory_format=torch.channels_last)</c> does). Interleaved A/B at 224², batch 16, training:
/// Segformer +24 %, Unet +7–10 %, SimpleUNet ±0 against contiguous weights.
/// </summary>
public static class Bfloat16
{
    public static void Convert(nn.Module model)
    {
        model.to(ScalarType.BFloat16);
        using var noGrad = no_grad();
        foreach (var (_, p) in model.named_parameters())
            if (p.dim() == 4)
            {
                // The scope keeps permute()'s view referenced while contiguous() copies from it: outside one, a GC started
                // by another thread could finalize the view mid-copy.
                using var scope = NewDisposeScope();
                p.set_(p.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
            }
    }

    public static bool IsBfloat16(nn.Module model) => model.parameters().FirstOrDefault()?.dtype == ScalarType.BFloat16;
}
