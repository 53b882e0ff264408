namespace PetSeg.Models.Encoders;

/// <summary>
/// What tells the MiT encoders b0 … b5 apart (smp's <c>mix_transformer_encoders</c> params): each stage's width and
/// its number of blocks. b1 … b5 share the widths and differ in depth, mostly in the third stage.
/// </summary>
public sealed record MitSize(int[] EmbedDims, int[] Depths)
{
    private static readonly int[] Wide = [64, 128, 320, 512];

    public static readonly MitSize B0 = new([32, 64, 160, 256], [2, 2, 2, 2]);
    public static readonly MitSize B1 = new(Wide, [2, 2, 2, 2]);
    public static readonly MitSize B2 = new(Wide, [3, 4, 6, 3]);
    public static readonly MitSize B3 = new(Wide, [3, 4, 18, 3]);
    public static readonly MitSize B4 = new(Wide, [3, 8, 27, 3]);
    public static readonly MitSize B5 = new(Wide, [3, 6, 40, 3]);

    /// <summary>smp's out_channels: the input, the 0-channel stride-2 placeholder, the four stages.</summary>
    public int[] OutChannels => [3, 0, .. EmbedDims];
}
