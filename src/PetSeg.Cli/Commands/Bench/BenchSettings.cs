using System.ComponentModel;
using PetSeg.Data.Synthetic;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Bench;

/// <summary>Options every benchmark takes; each subcommand adds only its own.</summary>
public class BenchSettings : CommandSettings
{
    [CommandOption("--threads <N>")][Description("torch threads (default: torch's default, the core count).")]
    public int? Threads { get; init; }
    [CommandOption("--work <DIR>")][Description("Scratch folder (default: $TMPDIR/petseg-bench, kept so generated data is reused).")]
    public string? Work { get; init; }

    [CommandOption("--numerics <MODE>")][Description("auto (default: check the kernels first, as training does), strict, or off (measure without checking: figures only).")]
    public string Numerics { get; init; } = "auto";

    public string WorkDir => Work ?? Path.Combine(Path.GetTempPath(), "petseg-bench");

    public override Spectre.Console.ValidationResult Validate() =>
        PetSeg.Compute.NumericsModes.Invalid("--numerics", Numerics) is { } invalid ? Spectre.Console.ValidationResult.Error(invalid)
        : Threads < 1 ? Spectre.Console.ValidationResult.Error($"--threads must be at least 1, not {Threads}") // libtorch aborted the process (SIGABRT)
        : Spectre.Console.ValidationResult.Success();

    /// <summary>Benchmarks over generated 500×375 pairs.</summary>
    public class Data : BenchSettings
    {
        [CommandOption("--count <N>")][Description("Synthetic 500×375 pairs to use (default 500).")]
        public int Count { get; init; } = 500;
        [CommandOption("--size <PX>")][Description("Target size (default 224).")]
        public int Size { get; init; } = 224;

        public string Root => Path.Combine(WorkDir, $"pets-{Count}");

        public override Spectre.Console.ValidationResult Validate() =>
            Count < 1 ? Spectre.Console.ValidationResult.Error($"--count must be at least 1, not {Count}")
            : Size < 1 ? Spectre.Console.ValidationResult.Error($"--size must be positive, not {Size}")
            : base.Validate();
        public string CachePath => Path.Combine(WorkDir, $"bench-{Count}-{Size}.petc");

        /// <summary>Generates the pairs once; later runs reuse them.</summary>
        public string EnsureDataset()
        {
            if (!File.Exists(Path.Combine(Root, "annotations", "test.txt")))
            {
                System.Console.WriteLine($"generating {Count} synthetic 500×375 pairs in {Root} ...");
                SyntheticPetGenerator.WriteLayout(Root, new SyntheticPetOptions { Count = Count, MinWidth = 500, MaxWidth = 500, MinHeight = 375, MaxHeight = 375, Quirks = false });
            }
            return Root;
        }
    }

    public sealed class TrainStep : BenchSettings
    {
        [CommandOption("--model <NAME>")][Description("A model (unet-resnet34, segformer-mit_b0, simple-unet, simple-vit, or another encoder's: unet-resnet50, segformer-mit_b2, …) or all: the lab's four (default).")]
        public string Model { get; init; } = "all";
        [CommandOption("--size <PX>")][Description("Input size (default 224).")]
        public int Size { get; init; } = 224;
        [CommandOption("--batch <N>")][Description("Batch size (default 16, the lab's).")]
        public int Batch { get; init; } = 16;
        [CommandOption("--steps <N>")][Description("Measured steps per model (default 20; RSS is compared across them).")]
        public int Steps { get; init; } = 20;
        [CommandOption("--bf16")][Description("bf16 forward/backward with fp32 master weights (training.precision: bf16).")]
        public bool Bf16 { get; init; }
        [CommandOption("--phases")][Description("Also print the median time of each phase of the step (weight copy, forward, backward, grads, optimizer).")]
        public bool Phases { get; init; }
        [CommandOption("--device <DEVICE>")][Description("auto (default), cpu, cuda or cuda:N; TF32 on and cuDNN deterministic on CUDA, as training.")]
        public string Device { get; init; } = "auto";
        [CommandOption("--kernels <PATH>")][Description("auto (default: the path the numerics self-check picks), or force onednn, padded (narrow convolutions padded to 16 output channels) or onednn-off, to measure what each costs.")]
        public string Kernels { get; init; } = "auto";

        public override Spectre.Console.ValidationResult Validate() =>
            InvalidModel(Model) is { } model ? Spectre.Console.ValidationResult.Error(model)
            : InvalidSize(Model == "all" ? PetSeg.Models.ModelZoo.LabArchitectures : [Model], Size) is { } size ? Spectre.Console.ValidationResult.Error(size)
            : Batch < 1 ? Spectre.Console.ValidationResult.Error($"--batch must be at least 1, not {Batch}")
            : Steps < 1 ? Spectre.Console.ValidationResult.Error($"--steps must be at least 1, not {Steps}")
            : Kernels == "auto" || PetSeg.Compute.KernelPaths.TryParse(Kernels, out _)
            ? base.Validate()
            : Spectre.Console.ValidationResult.Error($"--kernels must be auto, {string.Join(", ", PetSeg.Compute.KernelPaths.ShortNames)}, not '{Kernels}'");
    }

    /// <summary>The usage error for a --size that one of <paramref name="models"/> cannot take, else null.</summary>
    private static string? InvalidSize(IEnumerable<string> models, int size) =>
        size < 1 ? $"--size must be positive, not {size}"
        : models.Select(m => PetSeg.Models.ModelZoo.SizeProblem(new PetSeg.Models.ModelSpec(m, ImageSize: size), size)).FirstOrDefault(p => p is not null) is { } problem
            ? $"--size {size}: {problem}" : null;

    /// <summary>The usage error for a --model that is neither an architecture nor "all", else null.</summary>
    private static string? InvalidModel(string model) =>
        model == "all" || PetSeg.Models.ModelZoo.Architectures.Contains(model) ? null
        : $"--model {model}: not a model{PetSeg.Core.ClosestName.Suggestion(model, PetSeg.Models.ModelZoo.Architectures)}; one of {string.Join(", ", PetSeg.Models.ModelZoo.Architectures)} or all (the lab's four)";

    public sealed class Lab : BenchSettings
    {
        [CommandOption("-c|--config <FILE>")][Description("Pipeline definition (default: pipeline.yaml in the current folder).")]
        public string Config { get; init; } = PetSeg.Lab.PipelineConfigLoader.DefaultFile;
        [CommandOption("-p|--profile <NAME>")][Description("Profile to overlay, e.g. 'demo'. Also read from $PETSEG_PROFILE.")]
        public string? Profile { get; init; }
        [CommandOption("--steps <N>")][Description("Measured training steps per distinct model (default 6; the median counts).")]
        public int Steps { get; init; } = 6;
        [CommandOption("--device <DEVICE>")][Description("auto, cpu, cuda or cuda:N (default: compute.device).")]
        public string? Device { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Steps < 1 ? Spectre.Console.ValidationResult.Error($"--steps must be at least 1, not {Steps}") : base.Validate();
    }

    public sealed class Epoch : Data
    {
        [CommandOption("--model <NAME>")][Description("Model to train (default simple-unet).")]
        public string Model { get; init; } = "all";

        public override Spectre.Console.ValidationResult Validate() =>
            InvalidModel(Model) is { } model ? Spectre.Console.ValidationResult.Error(model)
            : InvalidSize([Model == "all" ? PetSeg.Models.ModelZoo.SimpleUnet : Model], Size) is { } size ? Spectre.Console.ValidationResult.Error(size) // "all": SimpleUNet, as EpochBench reads it
            : Epochs < 1 ? Spectre.Console.ValidationResult.Error($"--epochs must be at least 1, not {Epochs}")
            : base.Validate();
        [CommandOption("--epochs <N>")][Description("Epochs to run (default 3; RSS is printed after each).")]
        public int Epochs { get; init; } = 3;
    }
}
