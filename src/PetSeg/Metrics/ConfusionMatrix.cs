using PetSeg.Compute;
using PetSeg.Core;
using static TorchSharp.torch;

namespace PetSeg.Metrics;

/// <summary>
/// A C×C pixel confusion matrix (rows = target, columns = prediction) accumulated over every batch, as
/// torchmetrics' stateful metrics do: pixels whose target is <see cref="IgnoreIndex"/> are dropped first.
/// Only the counts are kept, so evaluation memory is flat however large the test set.
/// </summary>
public sealed class ConfusionMatrix(int numClasses, int ignoreIndex = SegmentationLabels.IgnoreIndex)
{
    private readonly long[] _counts = new long[numClasses * numClasses];

    public int NumClasses => numClasses;
    public int IgnoreIndex => ignoreIndex;
    public long this[int target, int pred] => _counts[target * numClasses + pred];

    /// <summary>Adds a batch: <paramref name="preds"/> class indices (N,H,W) or logits (N,C,H,W); <paramref name="target"/> (N,H,W).</summary>
    public void Update(Tensor preds, Tensor target)
    {
        using var scope = NewDisposeScope();
        if (preds.dim() == target.dim() + 1) preds = preds.argmax(1);
        if (!preds.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"preds shape [{string.Join(",", preds.shape)}] does not match target [{string.Join(",", target.shape)}]");
        var t = target.flatten().to(ScalarType.Int64);
        var p = preds.flatten().to(ScalarType.Int64);
        var keep = t.ne(Scalars.Of((long)ignoreIndex));
        t = t.masked_select(keep);
        p = p.masked_select(keep);
        if (t.NumberOfElements == 0) return;
        // Both range checks in one value read back (on a GPU each read is a synchronisation), then the counts.
        TorchSharp.Scalar zero = Scalars.Of(0L), classes = Scalars.Of((long)numClasses);
        var outside = stack([t.lt(zero).logical_or(t.ge(classes)).any(), p.lt(zero).logical_or(p.ge(classes)).any()]).cpu();
        using (var flags = outside.data<bool>())
        {
            if (flags[0]) throw new ArgumentException($"target holds values outside 0..{numClasses - 1} other than the ignore index {ignoreIndex}");
            if (flags[1]) throw new ArgumentException($"predictions hold values outside 0..{numClasses - 1}");
        }
        var counts = t.mul(classes).Plus(p).bincount(null, numClasses * numClasses).cpu();
        using var data = counts.data<long>();
        for (int i = 0; i < _counts.Length; i++) _counts[i] += data[i];
    }

    /// <summary>Adds one image's labels held on the CPU: <paramref name="preds"/> and <paramref name="target"/> pixel for pixel.</summary>
    public void Add(ReadOnlySpan<byte> preds, ReadOnlySpan<byte> target)
    {
        if (preds.Length != target.Length) throw new ArgumentException($"{preds.Length} predicted pixels for {target.Length} target pixels");
        for (int i = 0; i < target.Length; i++)
        {
            int t = target[i], p = preds[i];
            if (t == ignoreIndex) continue;
            if (t >= numClasses) throw new ArgumentException($"target holds {t}, outside 0..{numClasses - 1} and not the ignore index {ignoreIndex}");
            if (p >= numClasses) throw new ArgumentException($"predictions hold {p}, outside 0..{numClasses - 1}");
            _counts[t * numClasses + p]++;
        }
    }

    public long[][] ToRows() => Enumerable.Range(0, numClasses).Select(r => _counts.AsSpan(r * numClasses, numClasses).ToArray()).ToArray();
}
