using PetSeg.Data.Cache;
using PetSeg.Metrics;
using PetSeg.Pipeline.Progress;
using PetSeg.Training.Augmentation;
using static TorchSharp.torch;

namespace PetSeg.Training.Evaluation;

/// <summary>
/// The lab's evaluate(): argmax of the logits over the whole test set, counted into one confusion matrix (pixels whose
/// target is 255 are ignored) and turned into torchmetrics' numbers once at the end. Memory stays flat: no predictions kept.
/// </summary>
public static class Evaluator
{
    public static SegmentationMetrics Run(nn.Module<Tensor, Tensor> model, TensorCache test, int numClasses, int batchSize, IProgressSink ui, CancellationToken ct = default)
    {
        model.eval();
        var cm = new ConfusionMatrix(numClasses);
        using var bar = ui.Bar("evaluate", test.Count, ProgressUnit.Items);
        using var noGrad = no_grad();
        var indices = Enumerable.Range(0, test.Count).ToArray();
        for (int start = 0; start < test.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = indices.AsSpan(start, Math.Min(batchSize, test.Count - start));
            var (images, masks) = test.ReadBatch(batch);
            var logits = model.call(ImageNetNormalize.Apply(images));
            cm.Update(logits.argmax(1), masks.to_type(ScalarType.Int64));
            bar.Update(start + batch.Length);
        }
        return SegmentationMetrics.From(cm);
    }
}
