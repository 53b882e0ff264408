using PetSeg.Compute;

namespace PetSeg.Pipeline.Config;

/// <summary>
/// <c>compute:</c> in pipeline.yaml: how results are computed, never what (nothing here enters a stage key; each result
/// records the CPU, kernel path and self-check verdict it was computed with).
/// </summary>
/// <param name="Numerics">auto | strict | off (see <see cref="NumericsMode"/>); <c>--numerics</c> overrides it.</param>
public sealed record ComputeConfig(NumericsMode Numerics)
{
    public static readonly ComputeConfig Default = new(NumericsMode.Auto);

    internal static ComputeConfig Bind(YamlSection section)
    {
        var numerics = section.Choice("numerics", "auto", [.. NumericsModes.Names]);
        section.RejectUnknown();
        NumericsModes.TryParse(numerics, out var mode);
        return new ComputeConfig(mode);
    }
}
