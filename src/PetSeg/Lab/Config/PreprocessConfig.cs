namespace PetSeg.Lab.Config;

/// <param name="TileScale">Null: each image is resized whole to ImageSize² (the lab). A scale (<c>preprocess.tiles.scale</c>):
/// each image is scaled by it, aspect kept, and cut into ImageSize² tiles, on which models train and are scored.</param>
public sealed record PreprocessConfig(int ImageSize, bool SkipBadSamples, int Threads, double? TileScale = null);
