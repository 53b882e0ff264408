namespace PetSeg.Data.Imaging;

public sealed class ImageDecodeException(string path, string reason, Exception? inner = null)
    : PetSeg.Core.PetSegException($"{path}: {reason}", inner)
{
    public string FilePath { get; } = path;
}
