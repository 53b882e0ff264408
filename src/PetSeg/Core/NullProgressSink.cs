namespace PetSeg.Core;

/// <summary>Discards everything: for library callers that do not want output.</summary>
public sealed class NullProgressSink : IProgressSink
{
    public static readonly NullProgressSink Instance = new();
    public void Info(string line) { }
    public IProgressBar Bar(string description, double total, ProgressUnit unit) => new NullBar();
    private sealed class NullBar : IProgressBar { public void Update(double value, string? detail = null) { } public void Dispose() { } }
}
