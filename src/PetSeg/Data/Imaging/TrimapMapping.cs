using PetSeg.Core;

namespace PetSeg.Data.Imaging;

/// <summary>The lab's label mapping: trimap 1 (pet) → 1, 2 (background) → 0, 3 (border) and anything else → 255 (ignored).</summary>
public static class TrimapMapping
{
    public static byte Map(byte trimap) => trimap switch { 1 => SegmentationLabels.Pet, 2 => SegmentationLabels.Background, _ => SegmentationLabels.IgnoreIndex };

    public static void MapInPlace(Span<byte> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = Map(values[i]);
    }
}
