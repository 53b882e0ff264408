using PetSeg.Data.Cache;
using PetSeg.Metrics;
using PetSeg.Models;
using PetSeg.Core;
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
        var cm = new ConfusionMatrix(numClasses);
        using var bar = ui.Bar("evaluate", test.Count, ProgressUnit.Items);
        var indices = Enumerable.Range(0, test.Count).ToArray();
        for (int start = 0; start < test.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = indices.AsSpan(start, Math.Min(batchSize, test.Count - start));
            var (images, masks) = test.ReadBatch(batch);
            cm.Update(ClassPredictor.PredictClasses(model, images), masks);
            bar.Update(start + batch.Length);
        }
        return SegmentationMetrics.From(cm);
    }
}
