using PetSeg.Data.Imaging;

namespace PetSeg.Data.Dataset;

/// <summary>One line of a split list: <c>Image CLASS-ID SPECIES BREED-ID</c>, with its files and how its mask reads.</summary>
public sealed record PetSample(string Stem, int ClassId, int Species, int BreedId, string ImagePath, string MaskPath, int Line)
{
    public MaskEncoding Masks { get; init; } = MaskEncoding.Trimap;
}
