namespace PetSeg.Compute;

/// <summary>
/// <c>compute:</c> in pipeline.yaml: how results are computed, never what (nothing here enters a stage key; each result
/// records the device, CPU, kernel path and self-check verdict it was computed with).
/// </summary>
/// <param name="Numerics">auto | strict | off (see <see cref="NumericsMode"/>); <c>--numerics</c> overrides it.</param>
/// <param name="Device">auto | cpu | cuda | cuda:N (<see cref="DeviceChoice"/>); experiments may set their own; <c>--device</c> overrides both.</param>
/// <param name="Tf32">TF32 for fp32 matmuls and convolutions on CUDA (PyTorch's default for cuDNN; faster, ~1e-3 relative).</param>
/// <param name="Deterministic">cuDNN's deterministic algorithms on CUDA: same seed, same device kind, same result.</param>
/// <param name="LibTorch">An installed libtorch's lib folder to load instead of the package's (also <c>PETSEG_LIBTORCH</c>).</param>
public sealed record ComputeConfig(NumericsMode Numerics, string Device = "auto", bool Tf32 = true, bool Deterministic = true, string? LibTorch = null)
{
    public static readonly ComputeConfig Default = new(NumericsMode.Auto);
}
