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
    /// <summary>
    /// Null: the model takes whole images resized to ImageSize² (the lab). A scale: it was trained on ImageSize² tiles of
    /// images scaled by it (<c>preprocess.tiles</c>), so predict scales an image alike and runs it tile by tile. Left out
    /// of a checkpoint's header when null, so the lab's checkpoints keep their bytes.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? TileScale { get; init; }

    public override string ToString() => Architecture == ModelZoo.SimpleVit
        ? $"{Architecture} (classes {Classes}, image {ImageSize}, patch {PatchSize}, dim {Dim}, depth {Depth}, heads {Heads}, mlp {MlpRatio})"
        : $"{Architecture} (classes {Classes})";
}
