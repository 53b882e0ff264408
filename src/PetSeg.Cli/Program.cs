using PetSeg.Cli.Commands;
using PetSeg.Cli.Commands.Bench;
using PetSeg.Cli.Commands.Compare;
using PetSeg.Cli.Commands.Pipeline;
using PetSeg.Core;
using Spectre.Console.Cli;

// Numbers read and written the same way whatever the user's locale (LANG=de_DE.UTF-8 wrote "0,5" on the charts' axes
// and in train.log, so their digests differed from an English machine's); every thread and task inherits it.
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.DefaultThreadCurrentUICulture =
    System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
// A terminal that hangs up mid-run (SIGHUP) fails every write to it: dropped, so the run stops cleanly (GuardedCommand).
PetSeg.Cli.Console.DetachedOutput.Install();
// Tables laid out for COLUMNS where it is set (a log or a pipe otherwise gets 80 columns).
PetSeg.Cli.Console.OutputWidth.Apply(Environment.GetEnvironmentVariable);
// Before any tensor exists: libtorch's large blocks are then reused instead of faulted in again every step.
NativeHeap.Configure();
// An installed libtorch (a PyTorch install's torch/lib, e.g. from a cluster module) instead of the package's: loaded
// before TorchSharp probes for its own, so every command (doctor, predict, bench, run) uses it.
if (Environment.GetEnvironmentVariable(PetSeg.Compute.LibTorchFolder.Variable) is { Length: > 0 } libtorch)
{
    try { foreach (var w in PetSeg.Compute.LibTorchFolder.Load(libtorch).Warnings) Console.Error.WriteLine("warning: " + w); }
    catch (PetSegException e) { Console.Error.WriteLine($"error: {PetSeg.Compute.LibTorchFolder.Variable}: {e.Message}"); return 1; }
}

if (PetSeg.Cli.Console.UsageErrors.MissingValue(args) is { } missing)
{
    Console.Error.WriteLine($"error: {missing}");
    Console.Error.WriteLine("       see 'petseg --help' or 'petseg <command> --help'");
    return PetSeg.Cli.Console.UsageErrors.ExitCode;
}

var app = new CommandApp();
app.Configure(c =>
{
    c.SetApplicationName("petseg");
    c.SetApplicationVersion(PetSeg.Cli.Console.ProgramVersion.Text);
    c.UseStrictParsing(); // an unknown option is an error (exit 2, with the closest known one), never silently ignored
    c.SetExceptionHandler((e, _) => PetSeg.Cli.Console.UsageErrors.Handle(e));
    c.AddCommand<InitCommand>("init").WithExample("init").WithExample("init", "my-lab");
    c.AddCommand<DownloadCommand>("download").WithExample("download", "--profile", "smoke");
    c.AddCommand<PreprocessCommand>("preprocess").WithExample("preprocess");
    c.AddCommand<SynthCommand>("synth").WithExample("synth", "out/pets", "--count", "100");
    c.AddCommand<RunCommand>("run").WithExample("run", "report").WithExample("run", "train-unet-base", "--exclusive")
        .WithExample("run", "train-unet-base", "--check").WithExample("run", "report", "--check", "--upstream");
    c.AddCommand<PushCommand>("push").WithExample("push").WithExample("push", "train", "--remote", "team");
    c.AddCommand<PullCommand>("pull").WithExample("pull").WithExample("pull", "train-unet-improved");
    c.AddCommand<SubmitCommand>("submit").WithExample("submit", "report", "--wait").WithExample("submit", "train");
    c.AddCommand<CancelCommand>("cancel");
    c.AddCommand<StatusCommand>("status").WithExample("status", "--profile", "smoke");
    c.AddCommand<StagesCommand>("stages");
    c.AddCommand<DoctorCommand>("doctor").WithExample("doctor").WithExample("doctor", "--json").WithExample("doctor", "--bf16").WithExample("doctor", "--device", "cuda");
    c.AddCommand<GcCommand>("gc").WithExample("gc", "--dry-run");
    c.AddCommand<VerifyCommand>("verify").WithExample("verify", "--profile", "smoke");
    c.AddBranch("exp", b =>
    {
        b.SetDescription("Compare experiments (see docs/experiments.md).");
        b.AddCommand<ExpShowCommand>("show")
            .WithDescription("One table of experiments × the parameters that differ × metrics, from pipeline.lock (like dvc exp show). " +
                $"Metrics: {string.Join(", ", PetSeg.Metrics.HeadlineMetrics.All.Select(m => $"{m.Key} ({m.Description})"))}; --sort takes {PetSeg.Metrics.HeadlineMetrics.SortChoices}.")
            .WithExample("exp", "show", "--sort", "mean_iou").WithExample("exp", "show", "--sort", "val_mean_iou").WithExample("exp", "show", "--md");
    });
    c.AddBranch("metrics", b => { b.SetDescription("Metrics recorded in pipeline.lock."); b.AddCommand<MetricsDiffCommand>("diff").WithExample("metrics", "diff", "HEAD~1"); });
    c.AddBranch("params", b => { b.SetDescription("Parameters recorded in pipeline.lock."); b.AddCommand<ParamsDiffCommand>("diff").WithExample("params", "diff", "main"); });
    c.AddCommand<ExportCommand>("export").WithExample("export", "unet-improved", "--out", "unet.safetensors").WithExample("export", "unet-improved", "--out", "unet.pth", "--format", "pth")
        .WithExample("export", "unet-improved", "--out", "unet.onnx")
        .WithExample("export", "unet-tuning", "--out", "best.safetensors"); // a matrix with validation: the run it chose (its refit, with refit: true)
    c.AddCommand<LrFindCommand>("lr-find").WithExample("lr-find", "simple-unet-base").WithExample("lr-find", "unet-base", "--steps", "200", "--json");
    c.AddCommand<ScoreCommand>("score").WithExample("score", "unet.pth", "--model", "unet-resnet34").WithExample("score", "exported.safetensors", "--profile", "demo", "--out", "metrics.json").WithExample("score", "a.pth", "b.pth", "--model", "simple-unet").WithExample("score", "seed1.safetensors", "seed2.safetensors", "seed3.safetensors", "--ensemble");
    c.AddCommand<PredictCommand>("predict")
        .WithExample("predict", "cat.jpg", "--experiment", "unet-base", "--out", "mask.png", "--overlay", "overlay.png")
        .WithExample("predict", "photos/", "--experiment", "unet-base", "--out", "masks/", "--batch", "32")
        .WithExample("predict", "cat.jpg", "--checkpoint", "model.safetensors")
        .WithExample("predict", "photos/", "--experiment", "unet-hp", "--ensemble", "--out", "masks/");
    c.AddBranch("bench", b =>
    {
        b.SetDescription("Measure throughput (see docs/benchmarks.md); each benchmark takes only its own options.");
        b.AddCommand<PreprocessBench>("preprocess").WithExample("bench", "preprocess", "--count", "500");
        b.AddCommand<CacheReadBench>("cache-read");
        b.AddCommand<DataPathBench>("data-path");
        b.AddCommand<TrainStepBench>("train-step").WithExample("bench", "train-step", "--model", "unet-resnet34", "--bf16", "--phases");
        b.AddCommand<LabBench>("lab").WithExample("bench", "lab").WithExample("bench", "lab", "--profile", "demo");
        b.AddCommand<EpochBench>("epoch").WithExample("bench", "epoch", "--count", "400", "--epochs", "3");
        b.AddCommand<HashBench>("hash");
        b.AddCommand<RemoteBench>("remote").WithExample("bench", "remote", "--url", "s3://petseg/bench", "--endpoint", "http://127.0.0.1:9000");
    });
});
return await app.RunAsync(args);
