using PetSeg.IO;
using System.Text.Json;
using PetSeg.Models;
using PetSeg.Models.Weights;
using PetSeg.Training.Optim;
using static TorchSharp.torch;

namespace PetSeg.Training.Checkpoints;

/// <summary>Thrown when a checkpoint does not belong to the model or run it is loaded into.</summary>
public sealed class CheckpointMismatchException(string message) : PetSeg.Core.PetSegException(message);
