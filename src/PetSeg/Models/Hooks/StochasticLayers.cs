using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PetSeg.Models.Hooks;

/// <summary>Every random-drop layer of a model: <c>nn.Dropout</c> modules and our <see cref="IStochasticLayer"/>s.</summary>
public static class StochasticLayers
{
    /// <summary>Sets every dropout and drop-path probability to 0 (train-mode BatchNorm is unaffected); returns how many layers changed.</summary>
    public static int DisableAll(nn.Module model)
    {
        var n = 0;
        foreach (var (_, m) in model.named_modules())
        {
            if (m is Dropout d && d.p != 0) { d.p = 0; n++; }
            else if (m is IStochasticLayer s && s.DropProbability != 0) { s.DropProbability = 0; n++; }
        }
        return n;
    }
}
