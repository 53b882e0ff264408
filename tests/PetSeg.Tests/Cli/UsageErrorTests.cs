using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// Found by a crash harness: unknown options were silently ignored (`status --bogus-flag` exited 0; a mistyped
/// `--exlcusive` would run every stale stage upstream). They are errors now: exit 2, naming the option and the closest known one.
/// The program's own options too: `--version` (it was an unknown option).
/// </summary>
public sealed class UsageErrorTests
{
    [Fact]
    public void An_unknown_option_is_an_error_that_names_it_and_the_closest_known_one()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], "artifacts: out\ndataset: { source: synthetic }\n");

        var (exit, output) = CliProcess.Run("run", "download", "--exlcusive", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("unknown option --exlcusive; did you mean --exclusive?", output);
        Assert.False(Directory.Exists(dir["out"])); // nothing ran

        (exit, output) = CliProcess.Run("status", "--bogus-flag", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("unknown option --bogus-flag", output);

        (exit, output) = CliProcess.Run("status", "--config", dir["pipeline.yaml"]); // the same command, spelled right, works
        Assert.True(exit == 0, output);

        // Another command's option is not a misspelling of itself: it said "unknown option --out; did you mean --out?".
        (exit, output) = CliProcess.Run("status", "--out", "x", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("error: this command takes no --out (other commands do): its --help lists what it takes", output);
    }

    [Fact]
    public void Version_names_the_build_its_commit_and_the_torch_it_computes_with()
    {
        var (exit, log) = CliProcess.Run("--version");
        Assert.True(exit == 0, log);
        Assert.Matches(@"^\d+\.\d+\.\d+(\+[0-9a-f]{12})? \(TorchSharp 0\.107\.0, libtorch 2\.10\.0 \(package\)\)\s*$", log);
    }

    [Theory]
    [InlineData("run", "report", "--numerics", "maybe")]
    [InlineData("status", "--device", "gpu")]
    [InlineData("export", "tiny", "--out", "x.pth", "--device", "gpu")]
    [InlineData("predict", "--checkpoint", "a", "--image", "b", "--device", "gpu")]
    [InlineData("doctor", "--device", "gpu")]
    [InlineData("lr-find", "tiny", "--device", "gpu")]
    [InlineData("bench", "train-step", "--numerics", "maybe")]
    public void A_mode_or_device_that_is_not_one_is_the_same_usage_error_in_every_command(params string[] args)
    {
        var (exit, log) = CliProcess.Run(args);
        Assert.Equal(2, exit); // before anything is read or run
        var (option, value) = (args[^2], args[^1]);
        var forms = option == "--device" ? "auto, cpu, cuda, cuda:N" : "auto, strict, off";
        Assert.StartsWith($"error: {option} must be one of {forms}, not '{value}'", log.TrimStart());
    }

    [Theory]
    [InlineData("train-step", "unet-resnet43", "unet-resnet34")]
    [InlineData("epoch", "simple_unet", "simple-unet")]
    public void A_bench_model_that_is_not_one_is_a_usage_error_with_the_closest_name(string bench, string model, string meant)
    {
        // It was an ArgumentException's stack trace from inside the benchmark, after the device was chosen.
        var (exit, log) = CliProcess.Run("bench", bench, "--model", model);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --model {model}: not a model (did you mean '{meant}'?); one of unet-resnet34, segformer-mit_b0, simple-unet, simple-vit, unet-resnet18, ", log.TrimStart());
        Assert.Contains(", segformer-mit_b5 or all (the lab's four)", log);
    }

    [Theory]
    [InlineData("train-step", "simple-unet", "33", "simple-unet needs an image size divisible by 4 (its two 2×2 poolings")]
    [InlineData("train-step", "all", "48", "segformer-mit_b0 needs an image size divisible by 32 (its MiT encoder)")]
    [InlineData("train-step", "simple-vit", "40", "simple-vit needs an image size divisible by its patch size, 16")]
    [InlineData("epoch", "unet-mit_b0", "72", "unet-mit_b0 needs an image size divisible by 32 (its MiT encoder)")]
    public void A_bench_size_the_model_cannot_take_is_a_usage_error(string bench, string model, string size, string why)
    {
        // It was an ArgumentException's stack trace from inside the model's first forward pass.
        var (exit, log) = CliProcess.Run("bench", bench, "--model", model, "--size", size);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --size {size}: {why}", log.TrimStart());
    }

    [Theory]
    [InlineData("train-step", "--batch")] // measured batches of 1 and said so
    [InlineData("train-step", "--steps")] // an ArgumentOutOfRangeException's stack trace
    [InlineData("epoch", "--threads")] // libtorch's set_num_threads aborted the process (SIGABRT, exit 134)
    public void A_bench_count_below_one_is_a_usage_error(string bench, string option)
    {
        var (exit, log) = CliProcess.Run("bench", bench, "--model", "simple-unet", "--size", "32", option, "0");
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {option} must be at least 1, not 0", log.TrimStart());
    }

    [Fact]
    public void A_bench_epoch_of_its_default_model_takes_a_size_only_segformer_would_refuse()
    {
        // bench epoch's "all" trains SimpleUNet alone: 36² passes, and the next option's check answers (it measured 0 images in "Infinity s/epoch").
        var (exit, log) = CliProcess.Run("bench", "epoch", "--size", "36", "--count", "0");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --count must be at least 1, not 0", log.TrimStart());
    }

    [Theory]
    [InlineData("--count", "0", "--count must be 2 to 1,000,000 (a pair for each split at least), not 0")]
    [InlineData("--width", "0", "--width must be 16 to 8192 pixels, not 0")]
    [InlineData("--height", "100000", "--height must be 16 to 8192 pixels, not 100000")]
    public void A_synthetic_dataset_outside_pipeline_yamls_limits_is_a_usage_error(string option, string value, string error)
    {
        using var dir = new TempDir();
        var (exit, log) = CliProcess.Run("synth", dir["pets"], "--count", "3", option, value);
        Assert.Equal(2, exit); // it was a stack trace (count 0, width 0) or the JPEG encoder's error (100000)
        Assert.StartsWith($"error: {error}", log.TrimStart());
        Assert.False(Directory.Exists(dir["pets"]));
    }

    [Fact]
    public void A_file_where_a_folder_should_be_is_named()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["file"], "");
        // They said "The file '…' already exists." and "Could not find a part of the path '…/oxford-iiit-pet/images'."
        var (exit, output) = CliProcess.Run("init", dir["file/project"]);
        Assert.Equal(1, exit);
        Assert.Contains($"error: {dir["file"]} is a file: init writes a project into a folder (created if missing). Name another.", output);
        (exit, output) = CliProcess.Run("synth", dir["file"], "--count", "2");
        Assert.Equal(1, exit);
        Assert.Contains($"error: {dir["file"]} is a file: synth writes the dataset into a folder (created if missing). Name another.", output);
        Assert.Equal("", File.ReadAllText(dir["file"]));
    }

    [Fact]
    public void An_exp_show_sort_that_is_not_a_metric_is_a_usage_error_with_the_closest_name()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], "artifacts: out\ndataset: { source: synthetic }\n");
        // It was an ArgumentException's stack trace and exit 255.
        var (exit, log) = CliProcess.Run("exp", "show", "--sort", "mean_iu", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --sort mean_iu: not a metric (did you mean 'mean_iou'?); one of mean_iou, dice, f1_weighted, pixel_error, accuracy, val_mean_iou, ", log.TrimStart());
        (exit, log) = CliProcess.Run("exp", "show", "--sort", "val_dice", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        // Two formats: it printed JSON and said nothing of the CSV.
        (exit, log) = CliProcess.Run("exp", "show", "--json", "--csv", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --csv and --json each choose the output's format: give one", log.TrimStart());
        (exit, log) = CliProcess.Run("metrics", "diff", "--md", "--json", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --md and --json each choose the output's format: give one", log.TrimStart());
    }

    [Fact]
    public void An_option_given_without_its_value_is_an_error_that_names_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], "artifacts: out\ndataset: { source: synthetic }\n");
        // Spectre took an internal token ("__default_command") as the missing profile: a confusing error, exit 1.
        var (exit, output) = CliProcess.Run("status", "--config", dir["pipeline.yaml"], "--profile");
        Assert.Equal(2, exit);
        Assert.Contains("error: option --profile needs a value", output);
        Assert.DoesNotContain("__default_command", output);
        (exit, output) = CliProcess.Run("status", "-p", "--json", "--config", dir["pipeline.yaml"]); // the next token is another option
        Assert.Equal(2, exit);
        Assert.Contains("error: option -p needs a value (it is followed by --json)", output);
        Assert.False(Directory.Exists(dir["out"]));
        // An empty value (a script's unset variable) was an ArgumentException's stack trace from deep inside predict and bench.
        (exit, output) = CliProcess.Run("predict", "--checkpoint", "x.ckpt", "a.png", "--out", "");
        Assert.Equal(2, exit);
        Assert.Contains("error: option --out needs a value (it is empty: an unset variable?)", output);
        (exit, output) = CliProcess.Run("bench", "train-step", "--work", " ");
        Assert.Equal(2, exit);
        Assert.Contains("error: option --work needs a value (it is empty: an unset variable?)", output);
        (exit, output) = CliProcess.Run("synth", "");
        Assert.Equal(2, exit);
        Assert.Contains("error: argument 2 is empty (an unset variable?)", output);
    }

    [Fact]
    public void Every_option_takes_a_value_in_every_command_or_in_none()
    {
        // The missing-value check reads options by name across commands: one name must mean one thing.
        Assert.Empty(PetSeg.Cli.Console.UsageErrors.ValuedOptions.Intersect(PetSeg.Cli.Console.UsageErrors.Flags));
        Assert.Contains("--profile", PetSeg.Cli.Console.UsageErrors.ValuedOptions);
        Assert.Contains("-p", PetSeg.Cli.Console.UsageErrors.ValuedOptions);
        Assert.Contains("--json", PetSeg.Cli.Console.UsageErrors.Flags);
        Assert.Null(PetSeg.Cli.Console.UsageErrors.MissingValue(["run", "report", "--profile", "smoke", "--json"]));
    }

    [Fact]
    public void The_closest_option_is_found_among_every_commands_options()
    {
        Assert.Contains("exclusive", PetSeg.Cli.Console.UsageErrors.KnownOptions);
        Assert.Equal("exclusive", PetSeg.Cli.Console.UsageErrors.Closest("exlcusive"));
        Assert.Equal("profile", PetSeg.Cli.Console.UsageErrors.Closest("profil"));
        Assert.Null(PetSeg.Cli.Console.UsageErrors.Closest("bogus-flag"));
    }

    [Fact]
    public void Every_command_prints_its_help()
    {
        // A description is Spectre markup: an unescaped "[N,3,H,W]" made `export --help` crash with "Could not find color or style".
        static List<string> Commands(string help) =>
            [.. help[help.IndexOf("COMMANDS:", StringComparison.Ordinal)..].Split('\n').Skip(1)
                .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^    ([a-z][a-z-]*)\b")).Where(m => m.Success).Select(m => m.Groups[1].Value)];
        var (exit, top) = CliProcess.Run("--help");
        Assert.True(exit == 0, top);
        var commands = Commands(top);
        Assert.Contains("export", commands);
        Assert.Contains("bench", commands);
        var checkedCommands = new List<string>();
        foreach (var command in commands)
        {
            var (code, help) = CliProcess.Run(command, "--help");
            Assert.True(code == 0 && help.Contains("USAGE:", StringComparison.Ordinal), $"petseg {command} --help (exit {code}):\n{help}");
            checkedCommands.Add(command);
            if (!help.Contains("COMMANDS:", StringComparison.Ordinal)) continue;
            foreach (var sub in Commands(help)) // a branch: exp show, bench train-step, ...
            {
                (code, var subHelp) = CliProcess.Run(command, sub, "--help");
                Assert.True(code == 0 && subHelp.Contains("USAGE:", StringComparison.Ordinal), $"petseg {command} {sub} --help (exit {code}):\n{subHelp}");
                checkedCommands.Add($"{command} {sub}");
            }
        }
        Assert.Contains("bench train-step", checkedCommands);
        Assert.Contains("exp show", checkedCommands);
    }
}
