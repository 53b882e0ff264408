namespace PetSeg.Compute;

/// <summary>
/// NNPACK never computes here: libtorch takes it only for inference batches of 16 or more that oneDNN does not take
/// (the <see cref="KernelPath.OneDnnOff"/> path), which no self-check case exercises; and on a CPU it does not support
/// (AMD Zen 5) libtorch tries to start it at every small inference convolution, and at each of the self-check's float64
/// references, printing a warning each time (2,795 lines for 65 single images). Switched off once, before the first
/// check or computation, in every numerics mode; nothing on a oneDNN path changes.
/// </summary>
internal static class NnpackSwitch
{
    private static readonly object Gate = new();
    private static bool _off;

    public static void Off()
    {
        lock (Gate)
        {
            if (_off) return;
            AtenContext.TrySetNnpack(false);
            _off = true;
        }
    }

    /// <summary>Back to libtorch as shipped (tests).</summary>
    public static void Restore()
    {
        lock (Gate)
        {
            if (_off) AtenContext.TrySetNnpack(true);
            _off = false;
        }
    }
}
