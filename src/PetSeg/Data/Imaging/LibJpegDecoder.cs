using SkiaSharp;

namespace PetSeg.Data.Imaging;

/// <summary>
/// JPEG decoding through libjpeg-turbo (via SkiaSharp), the library PIL uses, with PIL's defaults (accurate integer
/// IDCT, fancy chroma upsampling, Adobe CMYK inverted, no ICC conversion, no EXIF rotation), so the pixels equal the
/// lab's <c>Image.open(p).convert("RGB")</c> byte for byte. ImageSharp's own JPEG decoder differs by up to ~35 levels
/// (its IDCT and chroma upsampling), ~1 level on average after resizing; see docs/platform.md.
/// </summary>
internal static class LibJpegDecoder
{
    public static RawImage DecodeRgb(string path, byte[] bytes)
    {
        using var stream = new SKMemoryStream(bytes);
        using var codec = SKCodec.Create(stream, out var created)
            ?? throw new ImageDecodeException(path, $"cannot decode (JPEG data, {bytes.Length:N0} bytes): {Explain(created)}");
        // No colour space on the destination: Skia then applies no ICC transform, as PIL does not.
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, out byte[] rgba);
        if (result != SKCodecResult.Success)
            throw new ImageDecodeException(path, $"cannot decode (JPEG data, {bytes.Length:N0} bytes): {Explain(result)}");
        var rgb = new byte[info.Width * info.Height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }
        return new RawImage(info.Width, info.Height, 3, rgb);
    }

    private static string Explain(SKCodecResult r) => r switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => "the file is truncated or damaged (PIL refuses it too: 'image file is truncated')",
        _ => $"libjpeg-turbo reports {r}",
    };
}
