namespace PetSeg.Core;

/// <summary>Where stages report: concise lines and live bars. The CLI draws them; tests may collect them.</summary>
public interface IProgressSink
{
    void Info(string line);
    IProgressBar Bar(string description, double total, ProgressUnit unit);
}
