using PetSeg.Data.Imaging;
using PetSeg.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Inference;

/// <summary>
/// Runs a segmentation model on one image file the way evaluation does: decode to RGB, resize to the training size
/// (OpenCV-style bilinear, as preprocessing), ImageNet-normalize, argmax; the mask is resized back with nearest.
/// </summary>
public static class Predictor
{
    public static Prediction Predict(nn.Module<Tensor, Tensor> model, string imagePath, int size)
    {
        var image = ImageLoader.LoadRgb(imagePath);
        var resized = Resize.Bilinear(image.Pixels, image.Width, image.Height, 3, size, size);
        using var scope = NewDisposeScope();
        var hwc = tensor(resized, [1, size, size, 3]);
        var small = ClassPredictor.PredictClasses(model, hwc.permute(0, 3, 1, 2).contiguous()).cpu().data<byte>().ToArray();
        var mask = Resize.Nearest(small, size, size, image.Width, image.Height);
        return new Prediction(image.Width, image.Height, mask, image);
    }

    /// <summary>The mask as an 8-bit PNG: 255 = pet, 0 = background (viewable as is; divide by 255 for labels).</summary>
    public static void SaveMask(Prediction p, string path)
    {
        using var img = Image.LoadPixelData<L8>(p.Mask.Select(v => (byte)(v == 1 ? 255 : 0)).ToArray(), p.Width, p.Height);
        AtomicFile.Write(path, fs => img.SaveAsPng(fs));
    }

    /// <summary>The image with the pet tinted red at 50 %.</summary>
    public static void SaveOverlay(Prediction p, string path)
    {
        var px = new byte[p.Width * p.Height * 3];
        for (int i = 0; i < p.Mask.Length; i++)
        {
            byte r = p.Image.Pixels[3 * i], g = p.Image.Pixels[3 * i + 1], b = p.Image.Pixels[3 * i + 2];
            if (p.Mask[i] == 1) { r = (byte)((r + 255) / 2); g = (byte)(g / 2); b = (byte)(b / 2); }
            (px[3 * i], px[3 * i + 1], px[3 * i + 2]) = (r, g, b);
        }
        using var img = Image.LoadPixelData<Rgb24>(px, p.Width, p.Height);
        AtomicFile.Write(path, fs => img.SaveAsPng(fs));
    }
}
