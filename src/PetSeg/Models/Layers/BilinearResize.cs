using static TorchSharp.torch;

namespace PetSeg.Models.Layers;

/// <summary>
/// Bilinear resizing of an N×C×h×w map as two matrix products, <c>R · X · Cᵀ</c>, with R (H×h) and C (W×w) holding
/// PyTorch's interpolation weights (<c>F.interpolate(mode='bilinear')</c>, either <c>align_corners</c>). Same values
/// to float rounding, but the backward is a matrix product too: ATen's bilinear backward is a scatter loop that took
/// 43 ms per SimpleViT bf16 step for its 14² → 224² logits, against 6 ms here (issue #14). Like autocast, a bf16 input
/// is resized in fp32 (the result is fp32: the loss and argmax take it as is); a channels-last input gives a
/// channels-last result. Meant for few channels — logits;
/// ATen's channels-last kernel is as fast for wide feature maps.
/// </summary>
public static class BilinearResize
{
    public static Tensor Apply(Tensor x, long height, long width, bool alignCorners)
    {
        using var scope = NewDisposeScope();
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        var input = x.dtype == ScalarType.BFloat16 ? x.to_type(ScalarType.Float32) : x;
        var rows = Weights(height, h, alignCorners, input);
        var cols = Weights(width, w, alignCorners, input);
        // Both products with the weights on the right, so each folds into one 2-D matrix product (a broadcast left
        // operand takes a batched path that is 20× slower without autograd); the transposed copies are small.
        var byRows = input.reshape(n * c, h, w).transpose(1, 2).matmul(rows.t());   // [n·c, w, H]
        var resized = byRows.transpose(1, 2).matmul(cols.t());                      // [n·c, H, W]
        var output = resized.view(n, c, height, width);
        // Keep the input's layout, as ATen's kernel does: an argmax over the channels of an NCHW result walks strides
        // of H·W and costs more than the resize (SimpleViT eval 286 → 78 img/s); one copy puts the classes innermost.
        if (c > 1 && x.stride(1) == 1) output = output.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>The out×in matrix of interpolation weights along one axis (ATen's area_pixel_compute_source_index).</summary>
    internal static Tensor Weights(long outSize, long inSize, bool alignCorners, Tensor like)
    {
        var weights = new float[outSize * inSize];
        float scale = alignCorners
            ? (outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f)
            : (float)inSize / outSize;
        for (long o = 0; o < outSize; o++)
        {
            float source = alignCorners ? scale * o : Math.Max(scale * (o + 0.5f) - 0.5f, 0f);
            long i0 = (long)source;
            long i1 = i0 < inSize - 1 ? i0 + 1 : i0;
            float lambda = source - i0;
            weights[o * inSize + i0] += 1 - lambda;
            weights[o * inSize + i1] += lambda;
        }
        return tensor(weights, [outSize, inSize], dtype: like.dtype, device: like.device);
    }
}
