using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Data.Imaging;

/// <summary>
/// Decodes like PIL's <c>Image.open(p).convert("RGB")</c>: the real format is sniffed (not trusted from the suffix);
/// JPEGs go through libjpeg-turbo as in PIL (<see cref="LibJpegDecoder"/>), other formats through ImageSharp (alpha
/// dropped without compositing, palettes expanded, gray replicated). Trimaps are read as raw samples.
/// </summary>
public static class ImageLoader
{
    public static RawImage LoadRgb(string path)
    {
        var bytes = ReadChecked(path);
        if (ImageFormatSniffer.Sniff(bytes) == ImageFileFormat.Jpeg) return LibJpegDecoder.DecodeRgb(path, bytes);
        try
        {
            using var image = Image.Load<Rgb24>(bytes);
            var pixels = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            return new RawImage(image.Width, image.Height, 3, pixels);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException)
        {
            throw Undecodable(path, bytes, e);
        }
    }

    /// <summary>Single-channel raw sample values (a trimap's 1/2/3), no gamma or colour conversion.</summary>
    public static RawImage LoadGray(string path)
    {
        var bytes = ReadChecked(path);
        try
        {
            using var image = Image.Load<L8>(bytes);
            var pixels = new byte[image.Width * image.Height];
            image.CopyPixelDataTo(pixels);
            return new RawImage(image.Width, image.Height, 1, pixels);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException)
        {
            throw Undecodable(path, bytes, e);
        }
    }

    /// <summary>An image's width and height from its header, without decoding its pixels (as stored: EXIF orientation is not applied, as in <see cref="LoadRgb"/>).</summary>
    public static (int Width, int Height) Size(string path)
    {
        if (!File.Exists(path)) throw new ImageDecodeException(path, "file is missing");
        try
        {
            var info = Image.Identify(path) ?? throw new ImageDecodeException(path, "not an image ImageSharp knows (no JPEG/PNG/GIF/BMP header)");
            return (info.Width, info.Height);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException or IOException)
        {
            throw new ImageDecodeException(path, $"cannot read its size: {e.Message.Split('\n')[0].Trim()}", e);
        }
    }

    private static byte[] ReadChecked(string path)
    {
        if (!File.Exists(path)) throw new ImageDecodeException(path, "file is missing");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new ImageDecodeException(path, "file is empty");
        return bytes;
    }

    /// <summary>
    /// What the file is and why it failed, on one line: ImageSharp's "cannot be loaded" lists every decoder it has on
    /// the lines after, which says nothing the sniffed format does not.
    /// </summary>
    private static ImageDecodeException Undecodable(string path, byte[] bytes, Exception e) =>
        new(path, e is UnknownImageFormatException ? $"cannot decode {Describe(bytes)}" : $"cannot decode {Describe(bytes)}: {e.Message.Split('\n')[0].Trim()}", e);

    private static string Describe(byte[] bytes) => ImageFormatSniffer.Sniff(bytes) switch
    {
        ImageFileFormat.Unknown => $"({bytes.Length:N0} bytes, not a JPEG/PNG/GIF/BMP by its magic bytes)",
        var f => $"({f} data, {bytes.Length:N0} bytes)",
    };
}
