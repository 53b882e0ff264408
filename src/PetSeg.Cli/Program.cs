using PetSeg.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(c =>
{
    c.SetApplicationName("petseg");
    c.AddCommand<DownloadCommand>("download").WithExample("download", "--profile", "smoke");
    c.AddCommand<PreprocessCommand>("preprocess").WithExample("preprocess");
    c.AddCommand<SynthCommand>("synth").WithExample("synth", "out/pets", "--count", "100");
    c.AddCommand<RunCommand>("run").WithExample("run", "report").WithExample("run", "train-unet-base", "--exclusive");
    c.AddCommand<StatusCommand>("status").WithExample("status", "--profile", "smoke");
    c.AddCommand<StagesCommand>("stages");
    c.AddCommand<GcCommand>("gc");
    c.AddCommand<PredictCommand>("predict").WithExample("predict", "--checkpoint", "model.ckpt", "--image", "cat.jpg", "--out", "mask.png", "--overlay", "overlay.png");
    c.AddCommand<BenchCommand>("bench").WithExample("bench", "preprocess");
});
return await app.RunAsync(args);
