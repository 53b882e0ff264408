using PetSeg.Compute;
using PetSeg.Data.Cache;
using PetSeg.Metrics;
using PetSeg.Core;
using static TorchSharp.torch;

namespace PetSeg.Inference;

/// <summary>
/// The lab's evaluate(): argmax of the logits over the whole test set, counted into one confusion matrix (pixels whose
/// target is 255 are ignored) and turned into torchmetrics' numbers once at the end. Memory stays flat: no predictions kept.
/// </summary>
public static class Evaluator
{
    public static SegmentationMetrics Run(nn.Module<Tensor, Tensor> model, ISampleSet test, int numClasses, int batchSize, IProgressSink ui, CancellationToken ct = default) =>
        Evaluate(model, test, numClasses, batchSize, ui, null, ct, "evaluate");

    /// <param name="bar">What the progress bar is called (validation images are not the test split).</param>
    public static SegmentationMetrics Run(nn.Module<Tensor, Tensor> model, ISampleSet images, int numClasses, int batchSize, IProgressSink ui, string bar, CancellationToken ct = default) =>
        Evaluate(model, images, numClasses, batchSize, ui, null, ct, bar);

    /// <param name="perImageIoU">When given, receives each test image's own mean IoU (NaN for an image with no valid pixel), in cache order.</param>
    /// <param name="native">When given, is handed each sample's predicted labels too, to score them at the images' own size.</param>
    public static SegmentationMetrics Run(nn.Module<Tensor, Tensor> model, ISampleSet test, int numClasses, int batchSize, IProgressSink ui,
        List<double>? perImageIoU, CancellationToken ct = default, NativeSizeScorer? native = null) => Evaluate(model, test, numClasses, batchSize, ui, perImageIoU, ct, "evaluate", native);

    private static SegmentationMetrics Evaluate(nn.Module<Tensor, Tensor> model, ISampleSet test, int numClasses, int batchSize, IProgressSink ui,
        List<double>? perImageIoU, CancellationToken ct, string label, NativeSizeScorer? native = null)
    {
        var cm = new ConfusionMatrix(numClasses);
        using var bar = ui.Bar(label, test.Count, ProgressUnit.Items);
        var indices = Enumerable.Range(0, test.Count).ToArray();
        for (int start = 0; start < test.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = indices.AsSpan(start, Math.Min(batchSize, test.Count - start));
            var (images, masks) = test.ReadBatch(batch);
            var predicted = ClassPredictor.PredictClasses(model, images); // on the model's device
            masks = DeviceTransfer.ToDevice(masks, predicted.device);     // the confusion matrix counts there: one copy of counts back
            cm.Update(predicted, masks);
            if (native is not null)
            {
                var labels = predicted.cpu().data<byte>().ToArray(); // one copy of the batch's labels back
                int plane = test.Width * test.Height;
                for (int i = 0; i < batch.Length; i++) native.Add(batch[i], labels.AsSpan(i * plane, plane));
            }
            if (perImageIoU is not null)
                for (int i = 0; i < batch.Length; i++)
                {
                    var one = new ConfusionMatrix(numClasses);
                    one.Update(predicted[i].unsqueeze(0), masks[i].unsqueeze(0));
                    perImageIoU.Add(SegmentationMetrics.From(one).MeanIoU);
                }
            bar.Update(start + batch.Length);
        }
        return SegmentationMetrics.From(cm);
    }
}
