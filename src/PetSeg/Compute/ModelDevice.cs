using static TorchSharp.torch;

namespace PetSeg.Compute;

/// <summary>Where a model lives: its first parameter's device (CPU for a model without parameters).</summary>
public static class ModelDevice
{
    public static Device Of(nn.Module model)
    {
        var first = model.parameters().FirstOrDefault();
        return first is null ? CPU : first.device;
    }
}
