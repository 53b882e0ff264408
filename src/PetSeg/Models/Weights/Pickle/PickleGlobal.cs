namespace PetSeg.Models.Weights.Pickle;

/// <summary>A pickled call of an allowed global: the callee's name and its arguments, evaluated by the caller.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}
