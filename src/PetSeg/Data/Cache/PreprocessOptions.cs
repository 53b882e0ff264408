namespace PetSeg.Data.Cache;

/// <param name="TileScale">Null: each image is resized whole to Width×Height (the lab). A scale: each image is scaled by it
/// and cut into Width² tiles (<see cref="Imaging.TileGrid"/>), each tile one sample; Width and Height are then equal.</param>
public sealed record PreprocessOptions(int Height = 224, int Width = 224, bool SkipBadSamples = false, int MaxDegreeOfParallelism = -1, double? TileScale = null);
