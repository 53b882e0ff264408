namespace PetSeg.Compute;

public static class InjectedFaults
{
    public const string Variable = "PETSEG_NUMERICS_FAULT";
    public static readonly IReadOnlyList<string> Names = ["none", "narrow-conv", "onednn", "everywhere"];

    public static InjectedFault FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text)) return InjectedFault.None;
        int i = Names.ToList().IndexOf(text.Trim().ToLowerInvariant());
        return i >= 0 ? (InjectedFault)i
            : throw new NumericsException($"{Variable}={text}: unknown fault; use one of {string.Join(", ", Names)}.");
    }

    public static string Name(this InjectedFault fault) => Names[(int)fault];
}
