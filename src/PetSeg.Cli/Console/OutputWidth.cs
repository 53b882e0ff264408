using Spectre.Console;

namespace PetSeg.Cli.Console;

/// <summary>
/// The width tables and wrapped lines are laid out for: the terminal's, or the <c>COLUMNS</c> environment variable's where
/// it is set (the Unix convention: <c>COLUMNS=200 petseg doctor &gt; doctor.txt</c>). Output to a file or a pipe otherwise
/// gets Spectre's 80 columns, where doctor's table folds every row.
/// </summary>
public static class OutputWidth
{
    public const string Variable = "COLUMNS";

    /// <summary>Applies <c>COLUMNS</c> when it holds a width from 40 to 1000; anything else is ignored, as other tools do.</summary>
    public static void Apply(Func<string, string?> environment)
    {
        if (Parse(environment(Variable)) is { } width) AnsiConsole.Profile.Width = width;
    }

    public static int? Parse(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 40 and <= 1000 ? n : null;
}
