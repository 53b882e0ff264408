using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Support;

/// <summary>Small images with structure in every channel, written in the format their name says (.png, .jpg).</summary>
public static class TestImages
{
    public static void WriteGradient(string path, int width, int height)
    {
        using var img = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) img[x, y] = new Rgb24((byte)(x * 5), (byte)(250 - y * 4), (byte)(x * y % 200));
        img.Save(path);
    }
}
