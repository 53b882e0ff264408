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
