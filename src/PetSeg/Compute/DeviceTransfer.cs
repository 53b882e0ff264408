using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Compute;

/// <summary>
/// Moves host batches to the compute device: unchanged on the CPU (the same tensor, no copy); to a CUDA device
/// through pinned memory with a non-blocking copy, so the transfer overlaps the previous step's kernels.
/// </summary>
public static class DeviceTransfer
{
    public static Tensor ToDevice(Tensor t, Device device)
    {
        if (t.device.type == device.type && t.device.index == device.index) return t;
        if (device.type == DeviceType.CUDA && t.device.type == DeviceType.CPU)
        {
            using var pinned = t.pin_memory();
            return pinned.to(device, non_blocking: true);
        }
        return t.to(device);
    }

    public static (Tensor Images, Tensor Masks) ToDevice((Tensor Images, Tensor Masks) batch, Device device) =>
        (ToDevice(batch.Images, device), ToDevice(batch.Masks, device));
}
