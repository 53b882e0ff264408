namespace PetSeg.Workflow.Runner;

internal static class Keys
{
    /// <summary>A key as messages print it: its algorithm and the start of its digest.</summary>
    public static string Short(string key) => key.Length > 23 ? key[..23] + "…" : key;
}
