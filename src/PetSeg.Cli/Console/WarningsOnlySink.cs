using PetSeg.Core;

namespace PetSeg.Cli.Console;

/// <summary>
/// For commands whose standard output is a result (<c>status --json</c>, <c>export</c>): progress is dropped, but a
/// warning (a remote that cannot be used, a lock file rebuilt) still reaches the user, on standard error.
/// </summary>
public sealed class WarningsOnlySink : IProgressSink
{
    public static readonly WarningsOnlySink Instance = new();

    public void Info(string line)
    {
        if (line.StartsWith("warning:", StringComparison.Ordinal)) System.Console.Error.WriteLine(line);
    }

    public IProgressBar Bar(string description, double total, ProgressUnit unit) => NullProgressSink.Instance.Bar(description, total, unit);
}
