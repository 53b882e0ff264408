namespace PetSeg.Data.Imaging;

/// <summary>One class of a dataset of one's own: its name and the mask values that mean it (<c>car: [2, 3]</c>).</summary>
public sealed record MaskClass(string Name, IReadOnlyList<byte> Values);
