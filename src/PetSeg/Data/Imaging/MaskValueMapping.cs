using PetSeg.Core;

namespace PetSeg.Data.Imaging;

/// <summary>
/// A mask of one's own read as labels. Binary: each of the 256 values is background, ignored or the foreground, written
/// as the trimap value that means the same (2, 3 or 1), so the imported dataset reads as Oxford-IIIT Pet's does
/// (<see cref="TrimapMapping"/> then gives 0, 255 and 1). With classes of one's own, each class has its values, and a
/// value in none (nor ignored) is refused rather than guessed; more than two classes are written as label maps
/// (<see cref="MaskEncoding"/>), two as trimaps.
/// </summary>
public sealed class MaskValueMapping
{
    private readonly byte[] _label = new byte[256];
    private readonly bool[] _listed = new bool[256];

    /// <summary>The classes' names by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How the imported masks are written: trimaps for two classes, label maps for more.</summary>
    public MaskEncoding Encoding { get; }

    /// <summary>The binary reading: <paramref name="background"/>'s values are background, every other one (not ignored) the foreground.</summary>
    /// <param name="foreground">The foreground's name in messages (the lab's: pet).</param>
    public MaskValueMapping(IEnumerable<byte> background, IEnumerable<byte> ignore, string? foreground = null)
    {
        ClassNames = foreground is null ? SegmentationLabels.Names : SegmentationLabels.NamesWith(foreground);
        Encoding = MaskEncoding.Trimap;
        Array.Fill(_label, SegmentationLabels.Pet);
        Array.Fill(_listed, true);
        foreach (var v in background) _label[v] = SegmentationLabels.Background;
        foreach (var v in ignore) _label[v] = SegmentationLabels.IgnoreIndex;
    }

    /// <summary>Classes of one's own, by label: the first is label 0, and only the values listed (here or in <paramref name="ignore"/>) are known.</summary>
    public MaskValueMapping(IReadOnlyList<MaskClass> classes, IEnumerable<byte> ignore)
    {
        ClassNames = [.. classes.Select(c => c.Name)];
        Encoding = classes.Count == 2 ? MaskEncoding.Trimap : MaskEncoding.Labels(ClassNames);
        for (int label = 0; label < classes.Count; label++)
            foreach (var v in classes[label].Values) (_label[v], _listed[v]) = ((byte)label, true);
        foreach (var v in ignore) (_label[v], _listed[v]) = (SegmentationLabels.IgnoreIndex, true);
    }

    /// <summary>Whether the value means something: a class's or ignored.</summary>
    public bool IsListed(byte value) => _listed[value];

    /// <summary>The value written to the imported mask: the trimap value of the same meaning (1 foreground, 2 background, 3 border), or the label.</summary>
    public byte StoredValueOf(byte value)
    {
        var label = _label[value];
        if (!Encoding.IsTrimap) return label;
        return label switch { SegmentationLabels.Background => 2, SegmentationLabels.Pet => 1, _ => 3 };
    }

    public string NameOf(byte value) => !_listed[value] ? "in no class" : _label[value] == SegmentationLabels.IgnoreIndex ? "ignored" : ClassNames[_label[value]];
}
