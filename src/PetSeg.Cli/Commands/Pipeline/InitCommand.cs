using System.ComponentModel;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Lab;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Start a project in FOLDER (default: here): write the lab's pipeline.yaml (14 experiments, its tables, the smoke and demo profiles) and ignore its outputs in .gitignore. Refuses to replace an existing pipeline.yaml.")]
public sealed class InitCommand : GuardedCommand<InitCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[FOLDER]")][Description("The project folder (created if missing; default: the current folder).")]
        public string Folder { get; init; } = ".";
    }

    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var folder = Path.GetFullPath(s.Folder);
        var yaml = Path.Combine(folder, PipelineConfigLoader.DefaultFile);
        if (File.Exists(folder) || AtomicFile.FileInTheWay(yaml) is not null)
            throw new ConfigException($"{AtomicFile.FileInTheWay(yaml) ?? folder} is a file: init writes a project into a folder (created if missing). Name another.");
        if (File.Exists(yaml))
            throw new ConfigException($"{yaml} already exists: nothing was written. Edit it, or init another folder.");
        Directory.CreateDirectory(folder);

        AtomicFile.WriteAllText(yaml, LabTemplate.PipelineYaml);
        var config = PipelineConfigLoader.Load(yaml); // what was written is what `run` will read: never a file that fails
        var added = AddIgnoreLines(Path.Combine(folder, ".gitignore"), LabTemplate.IgnoreLines(Path.GetRelativePath(folder, config.ArtifactsDir)));

        System.Console.WriteLine($"wrote {yaml}: the lab's {config.Experiments.Count} experiments and report tables");
        System.Console.WriteLine(added.Count > 0 ? $"ignored in .gitignore: {string.Join(", ", added)}" : ".gitignore already ignores the outputs");
        System.Console.WriteLine("""
            next (in that folder):
              petseg status                  what would run, and why
              petseg run report -p demo      the whole lab on synthetic pets, offline, minutes on a laptop
              petseg run report              the real lab: downloads Oxford-IIIT Pet (~800 MB) and ImageNet encoders
              petseg doctor                  check this machine's kernels (and a GPU's with --device cuda)
            """);
        return Task.FromResult(0);
    }

    /// <summary>Appends the lines .gitignore lacks (creating it if needed, one atomic write); returns those added.</summary>
    private static List<string> AddIgnoreLines(string path, IReadOnlyList<string> lines)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var present = text.Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var added = lines.Where(l => !present.Contains(l)).ToList();
        if (added.Count == 0) return added;
        var prefix = text.Length > 0 && !text.EndsWith('\n') ? "\n" : "";
        AtomicFile.WriteAllText(path, text + prefix + "# petseg outputs (petseg init)\n" + string.Join("\n", added) + "\n");
        return added;
    }
}
