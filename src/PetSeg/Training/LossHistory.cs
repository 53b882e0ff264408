using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PetSeg.IO;

namespace PetSeg.Training;

/// <summary>
/// <c>losses.json</c>: an experiment's mean training loss per epoch and, per epoch, every batch's loss in training
/// order. No timings in it, so equal runs give equal files (durations live in the store entry).
/// </summary>
public sealed record LossHistory(string Experiment, IReadOnlyList<double> EpochLosses, IReadOnlyList<IReadOnlyList<double>> BatchLosses)
{
    /// <summary>Each epoch's mean IoU on the images held out of training; absent when none were, so such a file keeps its bytes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonPropertyName("validation_mean_iou")]
    public IReadOnlyList<double>? ValidationMeanIoU { get; init; }

    private static readonly JsonSerializerOptions Json = JsonFiles.Options(naming: JsonNamingPolicy.SnakeCaseLower);

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>
    /// Where two histories of the same run part: the first batch whose loss differs, with both values (to the digits
    /// that tell them apart), or the first epoch's loss when the batches agree; null when they are the same.
    /// </summary>
    public static string? FirstDifference(LossHistory stored, LossHistory recomputed)
    {
        for (int e = 0; e < Math.Min(stored.BatchLosses.Count, recomputed.BatchLosses.Count); e++)
            for (int b = 0; b < Math.Min(stored.BatchLosses[e].Count, recomputed.BatchLosses[e].Count); b++)
                if (stored.BatchLosses[e][b] != recomputed.BatchLosses[e][b])
                    return Parting(e, b, stored.BatchLosses[e][b], recomputed.BatchLosses[e][b]);
        for (int e = 0; e < Math.Min(stored.EpochLosses.Count, recomputed.EpochLosses.Count); e++)
            if (stored.EpochLosses[e] != recomputed.EpochLosses[e])
                return $"the loss of epoch {e + 1} differs ({Pair(stored.EpochLosses[e], recomputed.EpochLosses[e])})";
        if (stored.EpochLosses.Count != recomputed.EpochLosses.Count)
            return $"{stored.EpochLosses.Count} epoch(s) stored, {recomputed.EpochLosses.Count} now";
        return null;
    }

    /// <summary>"the loss first differs at epoch 1, batch 3 (… stored, … now)", for zero-based <paramref name="epoch"/> and <paramref name="batch"/>.</summary>
    public static string Parting(int epoch, int batch, double stored, double now) =>
        $"the loss first differs at epoch {epoch + 1}, batch {batch + 1} ({Pair(stored, now)})";

    private static string Pair(double a, double b) => $"{a.ToString("R", CultureInfo.InvariantCulture)} stored, {b.ToString("R", CultureInfo.InvariantCulture)} now";

    public static LossHistory Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<LossHistory>(File.ReadAllText(path), Json) is { EpochLosses: not null, BatchLosses: not null } h ? h
                : throw new InvalidDataException($"{path}: not a losses.json (no 'epoch_losses' or 'batch_losses')");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a losses.json ({e.Message})", e); }
    }
}
