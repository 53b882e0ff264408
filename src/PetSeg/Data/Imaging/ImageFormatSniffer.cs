namespace PetSeg.Data.Imaging;

/// <summary>What a file really is, from its magic bytes: the dataset has PNGs and GIFs named .jpg.</summary>
public static class ImageFormatSniffer
{
    public static ImageFileFormat Sniff(ReadOnlySpan<byte> head) => head switch
    {
        [0xFF, 0xD8, ..] => ImageFileFormat.Jpeg,
        [0x89, 0x50, 0x4E, 0x47, ..] => ImageFileFormat.Png,
        [0x47, 0x49, 0x46, 0x38, ..] => ImageFileFormat.Gif,
        [0x42, 0x4D, ..] => ImageFileFormat.Bmp,
        _ => ImageFileFormat.Unknown,
    };
}
