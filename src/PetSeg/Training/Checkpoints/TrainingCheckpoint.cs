using PetSeg.IO;
using System.Text.Json;
using PetSeg.Models;
using PetSeg.Models.Weights;
using PetSeg.Training.Optim;
using static TorchSharp.torch;

namespace PetSeg.Training.Checkpoints;

/// <summary>
/// Our checkpoint: <c>.safetensors</c> holding the model state_dict under its PyTorch names and
/// <see cref="CheckpointInfo"/> in the header. A run folder's <c>last.ckpt</c> also holds the optimizer state under
/// <c>optimizer/…</c> and, with <c>ema:</c>, the weights' moving average under <c>ema/…</c> (one file, so a resume
/// never pairs weights, moments and average of different steps); the store keeps the weights the run stands for (the
/// average, where there is one) apart from the rest (<see cref="WeightsFile"/>, <see cref="StateFile"/>), so Python's
/// <c>safetensors.torch.load_file</c> plus a strict <c>load_state_dict</c> takes the weights as they are. PyTorch's
/// names never hold a '/', so the sections cannot collide. Written atomically.
/// </summary>
public static class TrainingCheckpoint
{
    private const string OptimizerPrefix = "optimizer/";
    private const string AveragePrefix = "ema/";

    /// <summary>In a published state file: the trained weights of a run whose published weights are their average.</summary>
    private const string TrainedPrefix = "trained/";
    private static readonly JsonSerializerOptions Json = JsonFiles.Options();

    public static void Save(string path, nn.Module model, AdamOptimizer? optimizer, CheckpointInfo info, ExponentialMovingAverage? average = null)
    {
        var tensors = model.state_dict().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).ToList();
        if (optimizer is not null)
            tensors.AddRange(optimizer.StateDict().Select(p => new KeyValuePair<string, Tensor>(OptimizerPrefix + p.Key, p.Value)));
        if (average is not null)
            tensors.AddRange(average.Model.state_dict().Select(p => new KeyValuePair<string, Tensor>(AveragePrefix + p.Key, p.Value)));
        PyTorchCheckpointWriter.SaveSafetensors(path, tensors, new Dictionary<string, string> { ["petseg"] = JsonSerializer.Serialize(info, Json) });
    }

    /// <summary>The published weights (a store entry's): the state_dict alone, loadable strictly by PyTorch.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The published resumable training state: optimizer moments and step, beside the weights.</summary>
    public const string StateFile = "train-state.safetensors";

    /// <summary>File names a checkpoint has inside a folder: a store entry's, then a run folder's (newest epoch).</summary>
    public static readonly IReadOnlyList<string> NamesInFolder = [WeightsFile, "last.ckpt"];

    /// <summary>
    /// Splits a run's combined checkpoint into the weights alone (what evaluation, export and download need:
    /// <c>load_state_dict(strict=True)</c> works on it) and the rest, both with the checkpoint's info. With a moving
    /// average the weights are the average, and the state holds the trained weights under <c>trained/…</c> beside the
    /// optimizer's, so it still holds all a resume needs.
    /// </summary>
    public static void Split(string combined, string weightsPath, string statePath)
    {
        var meta = SafetensorsFile.ReadMetadata(combined);
        using var scope = NewDisposeScope();
        var all = SafetensorsFile.Load(combined);
        var average = Section(all, AveragePrefix);
        var trained = Section(all, null);
        var optimizer = all.Where(p => p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal));
        PyTorchCheckpointWriter.SaveSafetensors(weightsPath, average.Count > 0 ? average : trained, meta);
        PyTorchCheckpointWriter.SaveSafetensors(statePath, average.Count > 0
            ? optimizer.Concat(trained.Select(p => new KeyValuePair<string, Tensor>(TrainedPrefix + p.Key, p.Value))) : optimizer, meta);
    }

    /// <summary>The entries under <paramref name="prefix"/>, named without it; null: the model's own (names without a '/').</summary>
    private static List<KeyValuePair<string, Tensor>> Section(IEnumerable<KeyValuePair<string, Tensor>> all, string? prefix) => prefix is null
        ? all.Where(p => !p.Key.Contains('/', StringComparison.Ordinal)).ToList()
        : all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(p => new KeyValuePair<string, Tensor>(p.Key[prefix.Length..], p.Value)).ToList();

    /// <summary>The weights alone, in PyTorch's state_dict order, for export.</summary>
    public static List<KeyValuePair<string, Tensor>> LoadWeights(string path, out CheckpointInfo info)
    {
        var (model, loaded) = LoadModel(path);
        info = loaded;
        using (model)
        {
            using var scope = NewDisposeScope(); // keeps each detached view referenced until it is cloned
            return model.state_dict().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.detach().clone().MoveToOuterDisposeScope())).ToList();
        }
    }

    /// <summary>The checkpoint file a user means: the file itself, or the checkpoint inside a store entry or run folder.</summary>
    public static string Locate(string fileOrFolder)
    {
        if (File.Exists(fileOrFolder)) return fileOrFolder;
        if (Directory.Exists(fileOrFolder))
            return NamesInFolder.Select(n => Path.Combine(fileOrFolder, n)).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException($"checkpoint folder {fileOrFolder} holds none of {string.Join(", ", NamesInFolder)}. " +
                    "Pass a store entry folder (artifacts/store/objects/<ab>/<key>), a run folder, or the file itself; `petseg predict --experiment NAME` finds an experiment's own.", fileOrFolder);
        throw new FileNotFoundException($"checkpoint {fileOrFolder} does not exist", fileOrFolder);
    }

    public static CheckpointInfo ReadInfo(string path)
    {
        path = Locate(path);
        var meta = SafetensorsFile.ReadMetadata(path);
        if (!meta.TryGetValue("petseg", out var json))
            throw new CheckpointMismatchException($"{path} is not a PetSeg checkpoint (no 'petseg' metadata). For plain PyTorch weights use ModelZoo.LoadPyTorchWeights.");
        var info = JsonSerializer.Deserialize<CheckpointInfo>(json, Json) ?? throw new InvalidDataException($"{path}: empty checkpoint metadata");
        if (info.Format != CheckpointInfo.CurrentFormat) throw new CheckpointMismatchException($"{path}: checkpoint format '{info.Format}' is not supported (expected {CheckpointInfo.CurrentFormat})");
        return info;
    }

    /// <summary>
    /// Builds the model the checkpoint describes and loads the weights it stands for: a run's moving average where it
    /// holds one (what the run publishes), else its weights.
    /// </summary>
    public static (nn.Module<Tensor, Tensor> Model, CheckpointInfo Info) LoadModel(string path)
    {
        path = Locate(path);
        var info = ReadInfo(path);
        var model = ModelZoo.Create(info.Model);
        try
        {
            using var scope = NewDisposeScope();
            var all = SafetensorsFile.Load(path);
            var average = Section(all, AveragePrefix);
            StateDictLoader.Load(model, average.Count > 0 ? average : Section(all, null), Path.GetFileName(path));
        }
        catch { model.Dispose(); throw; }
        return (model, info);
    }

    /// <summary>
    /// Loads a run's checkpoint to resume it: the trained weights into <paramref name="model"/>, the optimizer state,
    /// and the moving average into <paramref name="average"/>'s model; refuses a checkpoint of another architecture.
    /// </summary>
    public static CheckpointInfo Restore(string path, nn.Module model, AdamOptimizer? optimizer, ModelSpec expected, ExponentialMovingAverage? average = null)
    {
        var info = ReadInfo(path);
        if (info.Model != expected)
            throw new CheckpointMismatchException($"{path} holds a {info.Model}, not a {expected}");
        using var scope = NewDisposeScope();
        var all = SafetensorsFile.Load(path);
        StateDictLoader.Load(model, Section(all, null), Path.GetFileName(path));
        optimizer?.LoadStateDict(Section(all, OptimizerPrefix).ToDictionary(p => p.Key, p => p.Value), info.OptimizerStep);
        if (average is not null) StateDictLoader.Load(average.Model, Section(all, AveragePrefix), $"{Path.GetFileName(path)} (its moving average)");
        return info;
    }
}
