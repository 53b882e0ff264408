namespace PetSeg.Core;

public interface IProgressBar : IDisposable
{
    /// <summary>Sets the absolute position; <paramref name="detail"/> is shown after the figures (e.g. a running loss).</summary>
    void Update(double value, string? detail = null);
}
