namespace PetSeg.Models.Export;

/// <summary>
/// One feature map of an encoder in the graph: its value, and its spatial size [H, W] as an int64 value. A MiT has no
/// stride-2 feature (smp's 0-channel placeholder): only its size, which a Unet decoder still upsamples to.
/// </summary>
internal sealed record OnnxFeature(string? Value, string Size);
