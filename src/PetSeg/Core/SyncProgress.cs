namespace PetSeg.Core;

/// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
