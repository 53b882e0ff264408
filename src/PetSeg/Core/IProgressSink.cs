namespace PetSeg.Core;

/// <summary>Where stages report: concise lines and live bars. The CLI draws them; tests may collect them.</summary>
public interface IProgressSink
{
    void Info(string line);
    IProgressBar Bar(string description, double total, ProgressUnit unit);
}

public enum ProgressUnit { Items, Bytes }

public interface IProgressBar : IDisposable
{
    /// <summary>Sets the absolute position; <paramref name="detail"/> is shown after the figures (e.g. a running loss).</summary>
    void Update(double value, string? detail = null);
}

/// <summary>Discards everything: for library callers that do not want output.</summary>
public sealed class NullProgressSink : IProgressSink
{
    public static readonly NullProgressSink Instance = new();
    public void Info(string line) { }
    public IProgressBar Bar(string description, double total, ProgressUnit unit) => new NullBar();
    private sealed class NullBar : IProgressBar { public void Update(double value, string? detail = null) { } public void Dispose() { } }
}

/// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
