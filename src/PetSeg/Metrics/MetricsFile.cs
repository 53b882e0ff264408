using System.Text.Json;
using System.Text.Json.Serialization;
using PetSeg.IO;

namespace PetSeg.Metrics;

/// <summary>What an evaluation produced and for which run: the content of <c>metrics.json</c>.</summary>
/// <param name="TrainKey">Stage key of the training run that produced the evaluated weights.</param>
public sealed record MetricsRecord(string Experiment, string Title, long Seed, string TrainKey, int Epochs, SegmentationMetrics Metrics);

/// <summary>
/// Writes and reads metrics.json. No timestamps or durations: the same run gives the same file byte for byte, so
/// determinism is checked by comparing files.
/// </summary>
public static class MetricsFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Write(string path, MetricsRecord record)
    {
        var m = record.Metrics;
        var doc = new
        {
            record.Experiment,
            record.Title,
            record.Seed,
            record.TrainKey,
            record.Epochs,
            Metrics = new { pixel_error = m.PixelError, f1_weighted = m.F1Weighted, mean_iou = m.MeanIoU, accuracy = m.Accuracy, valid_pixels = m.ValidPixels },
            PerClass = m.PerClass,
            ConfusionMatrix = m.ConfusionMatrix,
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(doc, Json) + "\n");
        return path;
    }

    /// <summary>The headline numbers of a metrics.json (what the report tables need).</summary>
    public static (string Experiment, double PixelError, double F1Weighted, double MeanIoU) ReadHeadline(string path)
    {
        using var d = JsonDocument.Parse(File.ReadAllText(path));
        var m = d.RootElement.GetProperty("metrics");
        double Get(string k) => m.GetProperty(k).ValueKind == JsonValueKind.String ? double.NaN : m.GetProperty(k).GetDouble();
        return (d.RootElement.GetProperty("experiment").GetString()!, Get("pixel_error"), Get("f1_weighted"), Get("mean_iou"));
    }
}
