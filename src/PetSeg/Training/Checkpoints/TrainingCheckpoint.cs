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
/// <c>optimizer/…</c> (one file, so a resume never pairs weights and moments of different epochs); the store keeps
/// the two apart (<see cref="WeightsFile"/>, <see cref="StateFile"/>), so Python's <c>safetensors.torch.load_file</c>
/// plus a strict <c>load_state_dict</c> takes the weights as they are. Written atomically.
/// </summary>
public static class TrainingCheckpoint
{
    private const string OptimizerPrefix = "optimizer/";
    private static readonly JsonSerializerOptions Json = JsonFiles.Options();

    public static void Save(string path, nn.Module model, AdamOptimizer? optimizer, CheckpointInfo info)
    {
        var tensors = model.state_dict().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).ToList();
        if (optimizer is not null)
            tensors.AddRange(optimizer.StateDict().Select(p => new KeyValuePair<string, Tensor>(OptimizerPrefix + p.Key, p.Value)));
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
    /// <c>load_state_dict(strict=True)</c> works on it) and the optimizer state, both with the checkpoint's info.
    /// </summary>
    public static void Split(string combined, string weightsPath, string statePath)
    {
        var meta = SafetensorsFile.ReadMetadata(combined);
        using var scope = NewDisposeScope();
        var all = SafetensorsFile.Load(combined);
        PyTorchCheckpointWriter.SaveSafetensors(weightsPath, all.Where(p => !p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)), meta);
        PyTorchCheckpointWriter.SaveSafetensors(statePath, all.Where(p => p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)), meta);
    }

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

    /// <summary>Builds the model the checkpoint describes and loads its weights.</summary>
    public static (nn.Module<Tensor, Tensor> Model, CheckpointInfo Info) LoadModel(string path)
    {
        path = Locate(path);
        var info = ReadInfo(path);
        var model = ModelZoo.Create(info.Model);
        Restore(path, model, null, info.Model);
        return (model, info);
    }

    /// <summary>Loads weights (and optimizer state) into an existing model, refusing a checkpoint of another architecture.</summary>
    public static CheckpointInfo Restore(string path, nn.Module model, AdamOptimizer? optimizer, ModelSpec expected)
    {
        var info = ReadInfo(path);
        if (info.Model != expected)
            throw new CheckpointMismatchException($"{path} holds a {info.Model}, not a {expected}");
        using var scope = NewDisposeScope();
        var all = SafetensorsFile.Load(path);
        var weights = all.Where(p => !p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal));
        StateDictLoader.Load(model, weights, Path.GetFileName(path));
        optimizer?.LoadStateDict(all.Where(p => p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[OptimizerPrefix.Length..], p => p.Value), info.OptimizerStep);
        return info;
    }
}
