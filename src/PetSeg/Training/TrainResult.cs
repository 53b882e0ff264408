using TorchSharp;
using PetSeg.Compute;
using System.Diagnostics;
using PetSeg.Data.Cache;
using PetSeg.Models;
using PetSeg.Core;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Checkpoints;
using PetSeg.Training.Optim;
using static TorchSharp.torch;
using PetSeg.Models.Input;

namespace PetSeg.Training;

/// <param name="BatchLosses">Per epoch, every batch's mean loss in training order (what the report smooths).</param>
public sealed record TrainResult(nn.Module<Tensor, Tensor> Model, IReadOnlyList<double> EpochLosses, IReadOnlyList<IReadOnlyList<double>> BatchLosses,
    int ResumedFromEpoch, TimeSpan Duration);
