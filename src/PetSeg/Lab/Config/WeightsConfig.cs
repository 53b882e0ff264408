using PetSeg.Data.Download;

namespace PetSeg.Lab.Config;

/// <param name="Source">
/// "imagenet" downloads the real encoder files; "synthetic" writes random ones in the same formats (smoke runs,
/// tests); "pretrain" trains each encoder here, inside its smp model, on other synthetic pets (<see cref="Pretrain"/>):
/// an offline stand-in for ImageNet that, unlike random weights, gives the "pretrained" experiments a real head start.
/// </param>
public sealed record WeightsConfig(string Source, IReadOnlyDictionary<string, RemoteFile> Files)
{
    public const string ImageNet = "imagenet", Synthetic = "synthetic", Pretrain = "pretrain";

    public PretrainConfig Pretraining { get; init; } = new();

    /// <summary>Folders where the encoder files may already be (<c>local:</c>, then PyTorch's hub cache), taken when they verify.</summary>
    public IReadOnlyList<string> LocalFolders { get; init; } = [];
}
