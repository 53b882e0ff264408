namespace PetSeg.Core;

/// <summary>The label values of the binary task, shared by the data, the loss, the metrics and the figures.</summary>
public static class SegmentationLabels
{
    public const byte Background = 0;
    public const byte Pet = 1;
    /// <summary>The trimap's "not classified" border: left out of the loss and of every metric.</summary>
    public const byte IgnoreIndex = 255;
    public const int Classes = 2;

    /// <summary>The classes' names by label value, as tables print them.</summary>
    public static readonly IReadOnlyList<string> Names = ["background", "pet"];

    /// <summary>The names by label with the foreground named otherwise (a dataset of cells: background, cell).</summary>
    public static IReadOnlyList<string> NamesWith(string foreground) => [Names[Background], foreground];

    public static string NameOf(int label) => label >= 0 && label < Names.Count ? Names[label] : $"class {label}";
}
