namespace PetSeg.Lab.Config;

public sealed record PreprocessConfig(int ImageSize, bool SkipBadSamples, int Threads);
