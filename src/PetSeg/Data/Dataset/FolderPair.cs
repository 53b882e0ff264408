namespace PetSeg.Data.Dataset;

/// <summary>An image and its mask from a folder dataset, under the name they take in the imported layout.</summary>
/// <param name="Name">The file name without its extension, with blanks made '_' (split lists are blank-separated).</param>
public sealed record FolderPair(string Name, string ImagePath, string MaskPath);
