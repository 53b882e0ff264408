using System.Text.Json;
using System.Text.Json.Serialization;
using PetSeg.IO;

namespace PetSeg.Metrics;

/// <summary>
/// Writes and reads metrics.json. No timestamps or durations: the same run gives the same file byte for byte, so
/// determinism is checked by comparing files. A NaN (e.g. mean IoU with every pixel ignored) is written as "NaN".
/// </summary>
public static class MetricsFile
{
    private static readonly JsonSerializerOptions Json = JsonFiles.Options(indented: true, naming: JsonNamingPolicy.SnakeCaseLower);

    // The file's shape; property order is the file's key order.
    private sealed record Headline(double PixelError, double F1Weighted, double MeanIou, double Accuracy, long ValidPixels, double? Dice = null);
    private sealed record Document(string Experiment, string Title, long Seed, string TrainKey, int Epochs, Headline Metrics,
        IReadOnlyList<ClassMetrics> PerClass, long[][] ConfusionMatrix)
    {
        // Absent when nothing was held out, so the lab's metrics.json keeps its bytes.
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Part? Validation { get; init; }

        // Absent unless scored at the images' own size (native_metrics), likewise.
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Part? Native { get; init; }
    }
    /// <summary>Metrics on other images than the test split's cache: the validation images, or the test images at their own size.</summary>
    private sealed record Part(int Images, Headline Metrics, IReadOnlyList<ClassMetrics> PerClass,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long[][]? ConfusionMatrix = null);

    private static Headline HeadlineOf(SegmentationMetrics m) => new(m.PixelError, m.F1Weighted, m.MeanIoU, m.Accuracy, m.ValidPixels, m.Dice);
    private static SegmentationMetrics MetricsOf(Headline h, IReadOnlyList<ClassMetrics>? perClass) =>
        new(h.PixelError, h.F1Weighted, h.MeanIou, h.Accuracy, h.ValidPixels, perClass ?? []) { Dice = h.Dice ?? double.NaN };

    public static string Write(string path, MetricsRecord record)
    {
        var m = record.Metrics;
        var doc = new Document(record.Experiment, record.Title, record.Seed, record.TrainKey, record.Epochs, HeadlineOf(m), m.PerClass, m.ConfusionMatrix)
        {
            Validation = record.Validation is { } v ? new Part(v.Images, HeadlineOf(v.Metrics), v.Metrics.PerClass) : null,
            Native = record.Native is { } n ? new Part(n.Images, HeadlineOf(n.Metrics), n.Metrics.PerClass, n.Metrics.ConfusionMatrix) : null,
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(doc, Json) + "\n");
        return path;
    }

    public static MetricsRecord Read(string path)
    {
        Document? d;
        try { d = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a metrics.json ({e.Message})", e); }
        if (d?.Metrics is null) throw new InvalidDataException($"{path}: not a metrics.json (no 'metrics')");
        var h = d.Metrics;
        return new MetricsRecord(d.Experiment, d.Title, d.Seed, d.TrainKey, d.Epochs, MetricsOf(h, d.PerClass) with { ConfusionMatrix = d.ConfusionMatrix ?? [] })
        {
            Validation = d.Validation is { Metrics: not null } v ? new HeldOutMetrics(v.Images, MetricsOf(v.Metrics, v.PerClass)) : null,
            Native = d.Native is { Metrics: not null } n ? new NativeSizeMetrics(n.Images, MetricsOf(n.Metrics, n.PerClass) with { ConfusionMatrix = n.ConfusionMatrix ?? [] }) : null,
        };
    }
}
