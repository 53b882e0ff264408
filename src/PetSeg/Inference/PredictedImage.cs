using PetSeg.Core;

namespace PetSeg.Inference;

/// <summary>One image of a batch prediction: its mask, or why the image could not be read (the others go on).</summary>
public sealed record PredictedImage(string Path, Prediction? Prediction, PetSegException? Failure);
