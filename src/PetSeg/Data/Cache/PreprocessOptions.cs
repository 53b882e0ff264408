namespace PetSeg.Data.Cache;

public sealed record PreprocessOptions(int Height = 224, int Width = 224, bool SkipBadSamples = false, int MaxDegreeOfParallelism = -1);
