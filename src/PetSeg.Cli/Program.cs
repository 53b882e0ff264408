using PetSeg.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(c =>
{
    c.SetApplicationName("petseg");
    c.AddCommand<DownloadCommand>("download").WithExample("download", "--profile", "smoke");
    c.AddCommand<PreprocessCommand>("preprocess").WithExample("preprocess");
    c.AddCommand<SynthCommand>("synth").WithExample("synth", "out/pets", "--count", "100");
    c.AddCommand<BenchCommand>("bench").WithExample("bench", "preprocess");
});
return await app.RunAsync(args);
