using System.ComponentModel;
using PetSeg.Data.Synthetic;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

[Description("Write a synthetic dataset with Oxford-IIIT Pet's layout (and its two .tar.gz archives).")]
public sealed class SynthCommand : GuardedCommand<SynthCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<OUT>")][Description("Folder to create; the layout goes in OUT/oxford-iiit-pet, archives in OUT/archives.")]
        public string Out { get; init; } = "";
        [CommandOption("--count <N>")][Description("Number of image/trimap pairs (default 100).")]
        public int Count { get; init; } = 100;
        [CommandOption("--seed <N>")][Description("Random seed (default 1234).")]
        public int Seed { get; init; } = 1234;
        [CommandOption("--width <W>")][Description("Image width (default 500, like the typical real image).")]
        public int Width { get; init; } = 500;
        [CommandOption("--height <H>")][Description("Image height (default 375).")]
        public int Height { get; init; } = 375;

        /// <summary>pipeline.yaml's limits for dataset.synthetic (a count of 0 was an ArgumentOutOfRangeException's stack trace).</summary>
        public override Spectre.Console.ValidationResult Validate() =>
            Count is < SyntheticPetOptions.MinCount or > SyntheticPetOptions.MaxCount
                ? Spectre.Console.ValidationResult.Error($"--count must be {SyntheticPetOptions.MinCount} to {SyntheticPetOptions.MaxCount:N0} (a pair for each split at least), not {Count}")
            : Side("--width", Width) ?? Side("--height", Height) ?? base.Validate();

        private static Spectre.Console.ValidationResult? Side(string option, int pixels) => pixels is < SyntheticPetOptions.MinSide or > SyntheticPetOptions.MaxSide
            ? Spectre.Console.ValidationResult.Error($"{option} must be {SyntheticPetOptions.MinSide} to {SyntheticPetOptions.MaxSide} pixels, not {pixels}")
            : null;
    }

    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var root = Path.Combine(s.Out, "oxford-iiit-pet");
        if (PetSeg.IO.AtomicFile.FileInTheWay(Path.Combine(root, "x")) is { } file)
            throw new PetSeg.Core.ConfigException($"{file} is a file: synth writes the dataset into a folder (created if missing). Name another.");
        var o = new SyntheticPetOptions { Count = s.Count, Seed = s.Seed, MinWidth = s.Width, MaxWidth = s.Width, MinHeight = s.Height, MaxHeight = s.Height };
        SyntheticPetGenerator.WriteLayout(root, o);
        var (images, annotations) = SyntheticPetGenerator.WriteArchives(root, Path.Combine(s.Out, "archives"));
        System.Console.WriteLine($"wrote {s.Count} pairs to {root}\narchives: {images}, {annotations}");
        return Task.FromResult(0);
    }
}
