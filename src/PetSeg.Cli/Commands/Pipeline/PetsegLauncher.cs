namespace PetSeg.Cli.Commands.Pipeline;

/// <summary>How a cluster job starts this same program.</summary>
internal static class PetsegLauncher
{
    public static IReadOnlyList<string> Command()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(PetsegLauncher).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, assembly] : [host];
    }
}
