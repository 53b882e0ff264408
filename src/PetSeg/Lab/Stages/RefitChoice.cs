using System.Text.Json;
using PetSeg.IO;
using PetSeg.Training;

namespace PetSeg.Lab.Stages;

/// <summary>
/// choice.json, what a matrix's choose stage hands its refit: the row chosen, the epochs to train it for and the
/// settings that training takes. It holds no figures, so machines whose runs choose alike give the refit one key.
/// </summary>
/// <param name="Experiment">The chosen row's experiment id (<c>sweep-2</c>).</param>
/// <param name="Epochs">The epochs the chosen row's evaluated weights had (the mean over its seeds, rounded).</param>
/// <param name="Settings">The refit's training parameters, as a train stage's key holds them, but the seed: each refit has its own.</param>
public sealed record RefitChoice(string Matrix, string Experiment, string Label, int Epochs, SortedDictionary<string, string> Settings)
{
    public const string FileName = "choice.json";

    private static readonly JsonSerializerOptions Json = JsonFiles.Options(indented: true, naming: JsonNamingPolicy.SnakeCaseLower);

    /// <summary>
    /// What a refit trains of the chosen run's settings: <paramref name="epochs"/> of them, along the learning-rate
    /// schedule the chosen run followed (spanning its configured epochs).
    /// </summary>
    public static TrainSettings Refit(TrainSettings chosen, int epochs) =>
        chosen with { Epochs = epochs, Schedule = chosen.Schedule is { } s ? s with { Over = s.Over ?? chosen.Epochs } : null };

    /// <summary>Training parameters as a choice records them: without the seed, which each of a matrix's refits sets (one per seed).</summary>
    public static SortedDictionary<string, string> Keyed(SortedDictionary<string, string> training)
    {
        var settings = new SortedDictionary<string, string>(training, StringComparer.Ordinal);
        settings.Remove("seed");
        return settings;
    }

    public string Write(string path)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
        return path;
    }

    public static RefitChoice Read(string path)
    {
        try
        {
            var choice = JsonSerializer.Deserialize<RefitChoice>(File.ReadAllText(path), Json);
            if (choice is null || string.IsNullOrEmpty(choice.Experiment) || choice.Epochs < 0 || choice.Settings is null)
                throw new InvalidDataException("a field is missing");
            return choice;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a refit's choice ({e.Message}); rerun its choose stage (petseg run <choose stage> --force)", e);
        }
    }
}
