using PetSeg.Data.Cache;
using PetSeg.IO;
using PetSeg.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Inference;

/// <summary>
/// A PNG with one row per test image: the image | the true mask | the predicted mask (pet white, background black, ignored
/// border grey; more classes in <see cref="ClassPalette"/>'s colours).
/// </summary>
public static class PredictionGrid
{
    /// <summary>The rows are the test images at <paramref name="indices"/>, in that order (e.g. the best or worst predicted).</summary>
    /// <param name="classes">How many classes the model tells apart (the lab's: 2).</param>
    public static string Write(string path, nn.Module<Tensor, Tensor> model, TensorCache test, int[] indices, int classes = SegmentationLabels.Classes)
    {
        var palette = new ClassPalette(classes);
        int count = indices.Length;
        int h = test.Height, w = test.Width, gap = 4;
        using var image = new Image<Rgb24>(3 * w + 2 * gap, count * h + Math.Max(0, count - 1) * gap, new Rgb24(255, 255, 255));
        using (var scope = NewDisposeScope())
        {
            var (images, _) = test.ReadBatch(indices);
            var preds = ClassPredictor.PredictClasses(model, images).cpu();
            for (int i = 0; i < count; i++)
            {
                var rgb = test.Image(indices[i]);
                var truth = test.Mask(indices[i]);
                var pred = preds[i].data<byte>().ToArray();
                int top = i * (h + gap);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        int p = y * w + x;
                        image[x, top + y] = new Rgb24(rgb[p], rgb[h * w + p], rgb[2 * h * w + p]);
                        image[w + gap + x, top + y] = palette[truth[p]];
                        image[2 * (w + gap) + x, top + y] = palette[pred[p]];
                    }
            }
        }
        AtomicFile.Write(path, fs => image.SaveAsPng(fs));
        return path;
    }
}
