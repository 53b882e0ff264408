namespace PetSeg.Data.Archives;

public sealed class UnsafeArchiveException(string message) : PetSeg.Core.PetSegException(message);
