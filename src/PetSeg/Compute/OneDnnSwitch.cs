namespace PetSeg.Compute;

/// <summary><c>torch.backends.mkldnn.enabled</c> through <see cref="AtenContext"/>: the last kernel path's switch.</summary>
public static class OneDnnSwitch
{
    /// <summary>Whether this platform's libtorch exposes the switch.</summary>
    public static bool IsAvailable => AtenContext.IsAvailable;

    /// <summary>oneDNN's state as libtorch reads it (true where the switch is unavailable: libtorch's default).</summary>
    public static bool Enabled
    {
        get => AtenContext.MkldnnEnabled;
        set => AtenContext.MkldnnEnabled = value;
    }
}
