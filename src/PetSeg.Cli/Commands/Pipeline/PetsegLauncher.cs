using PetSeg.Cli.Commands;
using System.ComponentModel;
using PetSeg.Cli.Console;
using PetSeg.Workflow.Cluster;
using PetSeg.Core;
using PetSeg.Compute;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Remote;
using PetSeg.Workflow.Runner;
using Spectre.Console;
using Spectre.Console.Cli;

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
