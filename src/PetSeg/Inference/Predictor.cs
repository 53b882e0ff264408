using PetSeg.Core;
using PetSeg.Data.Imaging;
using PetSeg.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Inference;

/// <summary>
/// Runs a segmentation model on image files the way evaluation does: decode to RGB, resize to the training size
/// (OpenCV-style bilinear, as preprocessing), ImageNet-normalize, argmax; the mask is resized back with nearest. A model
/// trained on tiles (<paramref name="tileScale"/>) sees each image as preprocessing cut it: scaled, aspect kept, and
/// cut into size² tiles (<see cref="TileGrid"/>) whose labels are put back together before the mask is scaled back; or,
/// with an overlap, into overlapping windows (<see cref="SlidingWindows"/>) whose class probabilities are blended
/// (<see cref="WindowBlend"/>), so no seam runs where two tiles meet.
/// </summary>
public static class Predictor
{
    /// <summary>One image; an image that cannot be read throws (<see cref="ImageDecodeException"/>).</summary>
    public static Prediction Predict(nn.Module<Tensor, Tensor> model, string imagePath, int size, double? tileScale = null, double overlap = 0)
    {
        var one = PredictMany(model, [imagePath], size, batchSize: 1, tileScale: tileScale, overlap: overlap).Single();
        return one.Prediction ?? throw one.Failure!;
    }

    /// <summary>
    /// Many images, <paramref name="batchSize"/> per forward pass, decoded and resized in parallel (the CPU-bound part
    /// besides the model), streamed in input order so memory holds one batch. An image that cannot be read is
    /// reported in its place and the others go on. With tiles, a forward pass takes <paramref name="batchSize"/> tiles (or windows).
    /// </summary>
    /// <param name="overlap">With tiles: 0 cuts the grid the model trained on; more slides windows overlapping by that fraction.</param>
    public static IEnumerable<PredictedImage> PredictMany(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> paths, int size, int batchSize,
        CancellationToken ct = default, double? tileScale = null, double overlap = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (overlap > 0 && tileScale is null) throw new ArgumentException("an overlap slides windows over a model's tiles, and this model sees whole images", nameof(overlap));
        for (int start = 0; start < paths.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            var batch = paths.Skip(start).Take(batchSize).ToArray();
            var views = new ModelView?[batch.Length];
            var failures = new PetSegException?[batch.Length];
            Parallel.For(0, batch.Length, new ParallelOptions { CancellationToken = ct }, i =>
            {
                try { views[i] = ModelView.Of(ImageLoader.LoadRgb(batch[i]), size, tileScale, overlap); }
                catch (PetSegException e) { failures[i] = e; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { failures[i] = new ImageDecodeException(batch[i], e.Message, e); }
            });
            // Every input of the readable images, batchSize to a forward pass: a large image cut into tiles is not one large batch.
            var inputs = views.Where(v => v is not null).SelectMany(v => v!.Inputs).ToList();
            // Labels for a whole image or a grid's tiles; class probabilities for windows that are blended.
            var outputs = new Queue<object>(inputs.Chunk(batchSize).SelectMany(chunk => overlap > 0
                ? Probabilities(model, [.. chunk], size).Cast<object>() : Classify(model, [.. chunk], size)));
            for (int i = 0; i < batch.Length; i++)
            {
                if (views[i] is not { } view) { yield return new PredictedImage(batch[i], null, failures[i]); continue; }
                var mask = view.MaskOf([.. view.Inputs.Select(_ => outputs.Dequeue())]);
                yield return new PredictedImage(batch[i], new Prediction(view.Image.Width, view.Image.Height, mask, view.Image), null);
            }
        }
    }

    /// <summary>
    /// An image as the model sees it, <see cref="Inputs"/> (size² HWC arrays: the whole image resized, its tiles or its
    /// windows), and how the model's outputs for them (labels; for windows, class probabilities) make the image's mask at its own size.
    /// </summary>
    private sealed record ModelView(RawImage Image, IReadOnlyList<byte[]> Inputs, Func<IReadOnlyList<object>, byte[]> MaskOf)
    {
        public static ModelView Of(RawImage image, int size, double? tileScale, double overlap)
        {
            if (tileScale is not { } scale)
                return new ModelView(image, [Resize.Bilinear(image.Pixels, image.Width, image.Height, 3, size, size)],
                    labels => Resize.Nearest((byte[])labels[0], size, size, image.Width, image.Height));
            var grid = TileGrid.For(image.Width, image.Height, scale, size);
            if (overlap > 0) return Windows(image, grid, overlap);
            var scaled = grid.ScaleImage(image);
            return new ModelView(image, Cuts(grid.Count, size, (t, tile) => grid.Cut(scaled, 3, t, TileGrid.ImagePadding, tile)), labels =>
            {
                var placed = new byte[grid.ScaledWidth * grid.ScaledHeight];
                for (int t = 0; t < grid.Count; t++) grid.Place((byte[])labels[t], t, placed);
                return Resize.Nearest(placed, grid.ScaledWidth, grid.ScaledHeight, image.Width, image.Height);
            });
        }

        /// <summary>The scaled image as the grid scales it, in overlapping windows whose probabilities are blended.</summary>
        private static ModelView Windows(RawImage image, TileGrid grid, double overlap)
        {
            var scaled = grid.ScaleImage(image);
            var windows = SlidingWindows.For(grid.ScaledWidth, grid.ScaledHeight, grid.Size, overlap);
            return new ModelView(image, Cuts(windows.Count, grid.Size, (w, window) => windows.Cut(scaled, 3, w, TileGrid.ImagePadding, window)), outputs =>
            {
                var first = (float[])outputs[0];
                var blend = new WindowBlend(windows, first.Length / (grid.Size * grid.Size));
                for (int w = 0; w < windows.Count; w++) blend.Add(w, (float[])outputs[w]);
                return Resize.Nearest(blend.Labels(), grid.ScaledWidth, grid.ScaledHeight, image.Width, image.Height);
            });
        }
    }

    /// <summary><paramref name="count"/> size² RGB inputs, each filled by <paramref name="cut"/> (a tile's or a window's pixels).</summary>
    private static List<byte[]> Cuts(int count, int size, Action<int, byte[]> cut) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var input = new byte[size * size * 3];
            cut(i, input);
            return input;
        })];

    /// <summary>Class indices at the model's size for HWC uint8 images of <paramref name="size"/>², one forward pass.</summary>
    private static List<byte[]> Classify(nn.Module<Tensor, Tensor> model, List<byte[]> inputs, int size)
    {
        if (inputs.Count == 0) return [];
        using var scope = NewDisposeScope();
        var classes = ClassPredictor.PredictClasses(model, Batch(inputs, size)).cpu().data<byte>().ToArray();
        return Enumerable.Range(0, inputs.Count).Select(i => classes[(i * size * size)..((i + 1) * size * size)]).ToList();
    }

    /// <summary>Class probabilities, [C, size, size] each, for HWC uint8 images of <paramref name="size"/>², one forward pass.</summary>
    private static List<float[]> Probabilities(nn.Module<Tensor, Tensor> model, List<byte[]> inputs, int size)
    {
        if (inputs.Count == 0) return [];
        using var scope = NewDisposeScope();
        var probabilities = ClassPredictor.PredictProbabilities(model, Batch(inputs, size)).cpu().contiguous().data<float>().ToArray();
        int each = probabilities.Length / inputs.Count;
        return Enumerable.Range(0, inputs.Count).Select(i => probabilities[(i * each)..((i + 1) * each)]).ToList();
    }

    /// <summary>HWC uint8 arrays as one [N,3,size,size] uint8 tensor on the CPU (in the caller's dispose scope).</summary>
    private static Tensor Batch(List<byte[]> inputs, int size)
    {
        var pixels = new byte[inputs.Count * size * size * 3];
        for (int i = 0; i < inputs.Count; i++) inputs[i].CopyTo(pixels, i * size * size * 3);
        using var scope = NewDisposeScope();
        return tensor(pixels, [inputs.Count, size, size, 3]).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mask as an 8-bit PNG. Two classes: grayscale, 255 = pet, 0 = background (viewable as is; divide by 255 for
    /// labels). More: a palette PNG as Pascal VOC's masks are, its indices the labels 0 … C−1 (the dataset's classes in
    /// order) and its colours <see cref="ClassPalette"/>'s, so it is both viewable and the labels (read back by index).
    /// </summary>
    public static void SaveMask(Prediction p, string path, int classes = SegmentationLabels.Classes)
    {
        if (classes > SegmentationLabels.Classes)
        {
            var palette = new ClassPalette(classes).AsRgb();
            AtomicFile.Write(path, fs => PalettePng.Write(fs, p.Width, p.Height, p.Mask, palette));
            return;
        }
        using var img = Image.LoadPixelData<L8>(p.Mask.Select(v => (byte)(v == 1 ? 255 : 0)).ToArray(), p.Width, p.Height);
        AtomicFile.Write(path, fs => img.SaveAsPng(fs));
    }

    /// <summary>The image with the pet tinted red at 50 % (more classes: each but the background in its <see cref="ClassPalette"/> colour).</summary>
    public static void SaveOverlay(Prediction p, string path, int classes = SegmentationLabels.Classes)
    {
        var palette = classes <= SegmentationLabels.Classes ? null : new ClassPalette(classes);
        var px = new byte[p.Width * p.Height * 3];
        for (int i = 0; i < p.Mask.Length; i++)
        {
            byte r = p.Image.Pixels[3 * i], g = p.Image.Pixels[3 * i + 1], b = p.Image.Pixels[3 * i + 2];
            if (palette is null) { if (p.Mask[i] == 1) { r = (byte)((r + 255) / 2); g = (byte)(g / 2); b = (byte)(b / 2); } }
            else if (p.Mask[i] != SegmentationLabels.Background)
            {
                var c = palette[p.Mask[i]];
                (r, g, b) = ((byte)((r + c.R) / 2), (byte)((g + c.G) / 2), (byte)((b + c.B) / 2));
            }
            (px[3 * i], px[3 * i + 1], px[3 * i + 2]) = (r, g, b);
        }
        using var img = Image.LoadPixelData<Rgb24>(px, p.Width, p.Height);
        AtomicFile.Write(path, fs => img.SaveAsPng(fs));
    }
}
