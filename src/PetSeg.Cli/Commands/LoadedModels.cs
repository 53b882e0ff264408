using PetSeg.Inference;

namespace PetSeg.Cli.Commands;

/// <summary>The models a command has loaded (an ensemble's members), disposed together whichever step fails.</summary>
internal sealed class LoadedModels : List<PredictionModel>, IDisposable
{
    public void Dispose()
    {
        foreach (var m in this) m.Dispose();
    }
}
