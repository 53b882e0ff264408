namespace PetSeg.Models;

/// <summary>
/// Everything needed to rebuild a model: the architecture name and its options. Stored in checkpoints, so a
/// checkpoint can be loaded without knowing how it was trained.
/// </summary>
/// <param name="Architecture">One of <see cref="ModelZoo.Architectures"/>.</param>
/// <param name="ImageSize">The square size the model is trained at (what predict resizes images to); SimpleViT's position embedding is built for it and takes no other.</param>
public sealed record ModelSpec(
    string Architecture,
    int Classes = 2,
    int InChannels = 3,
    int ImageSize = 224,
    int PatchSize = 16,
    int Dim = 128,
    int Depth = 3,
    int Heads = 4,
    double MlpRatio = 4)
{
    public override string ToString() => Architecture == ModelZoo.SimpleVit
        ? $"{Architecture} (classes {Classes}, image {ImageSize}, patch {PatchSize}, dim {Dim}, depth {Depth}, heads {Heads}, mlp {MlpRatio})"
        : $"{Architecture} (classes {Classes})";
}
