namespace PetSeg.Data.Imaging;

/// <summary>An 8-bit image in row-major HWC order.</summary>
public sealed record RawImage(int Width, int Height, int Channels, byte[] Pixels);
