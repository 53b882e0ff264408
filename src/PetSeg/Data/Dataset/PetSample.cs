namespace PetSeg.Data.Dataset;

/// <summary>One line of a split list: <c>Image CLASS-ID SPECIES BREED-ID</c>.</summary>
public sealed record PetSample(string Stem, int ClassId, int Species, int BreedId, string ImagePath, string TrimapPath, int Line);
