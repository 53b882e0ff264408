namespace PetSeg.Data.Cache;

public sealed class TensorCacheException(string message) : PetSeg.Core.PetSegException(message);
