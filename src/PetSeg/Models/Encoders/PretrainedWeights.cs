namespace PetSeg.Models.Encoders;

/// <summary>
/// An encoder's ImageNet weights as smp downloads them: where, with which pins, in which format, and which keys are
/// the classifier that an encoder drops (<c>fc.</c>, <c>head.</c>) with its input width (synthetic files mimic it).
/// </summary>
/// <param name="Sha256Prefix">The SHA-256's first digits where only those are known (torchvision's file names).</param>
public sealed record PretrainedWeights(string FileName, IReadOnlyList<Uri> Urls, string? Md5, string? Sha256, long? Size,
    WeightsFormat Format, string ClassifierPrefix, int ClassifierInFeatures, string? Sha256Prefix = null);
