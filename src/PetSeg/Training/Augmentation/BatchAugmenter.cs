using PetSeg.Compute;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Training.Augmentation;

/// <summary>
/// Applies the lab's augmentation to a whole uint8 batch at once (image and mask with one parameter set per sample):
/// draws follow albumentations' per-transform probabilities from a seeded generator, the warp uses
/// affine_grid/grid_sample (bilinear + zero fill for images, nearest + 0 for masks) on only the samples it applies to.
/// </summary>
public sealed class BatchAugmenter(AugmentationSettings settings)
{
    public IReadOnlyList<SampleAugmentation> Draw(Random rng, int count, int width, int height)
    {
        var s = settings;
        var result = new SampleAugmentation[count];
        double U(double lo, double hi) => lo + rng.NextDouble() * (hi - lo);
        bool Apply(double p) => p >= 1 || (p > 0 && rng.NextDouble() < p);
        for (int i = 0; i < count; i++)
        {
            bool flip = Apply(s.FlipP);
            (double, double)? bc = null;
            if (Apply(s.BrightnessContrastP))
            {
                double alpha = 1 + U(-s.ContrastLimit, s.ContrastLimit);
                double beta = U(-s.BrightnessLimit, s.BrightnessLimit) * 255; // brightness_by_max: relative to the uint8 maximum
                bc = (alpha, beta);
            }
            double[,]? affine = null;
            if (Apply(s.ShiftScaleRotateP))
            {
                // albumentations 2.x order: translate x, y; shear x, y (zero); scale x, y (independent); rotate.
                double tx = Math.Truncate(U(-s.ShiftLimit, s.ShiftLimit) * width);
                double ty = Math.Truncate(U(-s.ShiftLimit, s.ShiftLimit) * height);
                double sx = U(1 - s.ScaleLimit, 1 + s.ScaleLimit), sy = U(1 - s.ScaleLimit, 1 + s.ScaleLimit);
                double angle = U(-s.RotateLimitDegrees, s.RotateLimitDegrees);
                affine = AffineMatrix.ShiftScaleRotate(width, height, angle, sx, sy, tx, ty);
            }
            result[i] = new SampleAugmentation(flip, bc, affine);
        }
        return result;
    }

    /// <summary>Augments uint8 images [B,3,H,W] and masks [B,H,W] in place order: flip, brightness/contrast, shift-scale-rotate.</summary>
    public static (Tensor Images, Tensor Masks) Apply(Tensor images, Tensor masks, IReadOnlyList<SampleAugmentation> plan)
    {
        using var scope = NewDisposeScope();
        images = images.clone();
        masks = masks.clone();
        long h = images.shape[2], w = images.shape[3];

        var device = images.device; // every constant is created where the batch is
        var flip = Indices(plan, p => p.Flip, device);
        if (flip is not null)
        {
            images.index_copy_(0, flip, images.index_select(0, flip).flip(-1));
            masks.index_copy_(0, flip, masks.index_select(0, flip).flip(-1));
        }

        var bc = Indices(plan, p => p.BrightnessContrast is not null, device);
        if (bc is not null)
        {
            var ab = plan.Where(p => p.BrightnessContrast is not null).Select(p => p.BrightnessContrast!.Value).ToArray();
            var alpha = tensor(ab.Select(x => (float)x.Alpha).ToArray(), device: device).view(-1, 1, 1, 1);
            var beta = tensor(ab.Select(x => (float)x.Beta).ToArray(), device: device).view(-1, 1, 1, 1);
            // uint8 LUT semantics: clip(x·alpha + beta) in float32, then truncation to uint8.
            var adjusted = images.index_select(0, bc).to_type(ScalarType.Float32).mul_(alpha).add_(beta, Scalars.One).clamp_(Scalars.Of(0L), Scalars.Of(255L)).floor_().to_type(ScalarType.Byte);
            images.index_copy_(0, bc, adjusted);
        }

        var warp = Indices(plan, p => p.Affine is not null, device);
        if (warp is not null)
        {
            var thetas = plan.Where(p => p.Affine is not null).SelectMany(p => AffineMatrix.GridTheta(p.Affine!, (int)w, (int)h)).ToArray();
            var theta = tensor(thetas, device: device).view(-1, 2, 3);
            var n = theta.shape[0];
            var grid = F.affine_grid(theta, [n, 3, h, w], align_corners: false);
            var img = F.grid_sample(images.index_select(0, warp).to_type(ScalarType.Float32), grid,
                mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: false);
            images.index_copy_(0, warp, img.round_().clamp_(Scalars.Of(0L), Scalars.Of(255L)).to_type(ScalarType.Byte));
            var msk = F.grid_sample(masks.index_select(0, warp).unsqueeze(1).to_type(ScalarType.Float32), grid,
                mode: GridSampleMode.Nearest, padding_mode: GridSamplePaddingMode.Zeros, align_corners: false);
            masks.index_copy_(0, warp, msk.squeeze(1).round_().to_type(ScalarType.Byte));
        }
        return (images.MoveToOuterDisposeScope(), masks.MoveToOuterDisposeScope());
    }

    private static Tensor? Indices(IReadOnlyList<SampleAugmentation> plan, Func<SampleAugmentation, bool> pick, Device device)
    {
        var idx = plan.Select((p, i) => (p, i)).Where(x => pick(x.p)).Select(x => (long)x.i).ToArray();
        return idx.Length == 0 ? null : tensor(idx, device: device);
    }
}
