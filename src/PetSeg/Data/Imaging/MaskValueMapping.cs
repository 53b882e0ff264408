using PetSeg.Core;

namespace PetSeg.Data.Imaging;

/// <summary>
/// A mask of one's own read as labels: each of the 256 values is background, ignored or the foreground, and is written
/// as the trimap value that means the same (2, 3 or 1), so the imported dataset reads as Oxford-IIIT Pet's does
/// (<see cref="TrimapMapping"/> then gives 0, 255 and 1).
/// </summary>
public sealed class MaskValueMapping
{
    private readonly byte[] _label = new byte[256];

    private readonly IReadOnlyList<string> _names;

    /// <param name="foreground">The foreground's name in messages (the lab's: pet).</param>
    public MaskValueMapping(IEnumerable<byte> background, IEnumerable<byte> ignore, string? foreground = null)
    {
        _names = foreground is null ? SegmentationLabels.Names : SegmentationLabels.NamesWith(foreground);
        Array.Fill(_label, SegmentationLabels.Pet);
        foreach (var v in background) _label[v] = SegmentationLabels.Background;
        foreach (var v in ignore) _label[v] = SegmentationLabels.IgnoreIndex;
    }

    /// <summary>The trimap value of the same meaning: 1 pet, 2 background, 3 border.</summary>
    public byte TrimapOf(byte value) => _label[value] switch
    {
        SegmentationLabels.Background => 2,
        SegmentationLabels.Pet => 1,
        _ => 3,
    };

    public string NameOf(byte value) => _label[value] == SegmentationLabels.IgnoreIndex ? "ignored" : _names[_label[value]];
}
