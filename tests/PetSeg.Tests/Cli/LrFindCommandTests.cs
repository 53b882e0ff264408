using System.Text.Json;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>`petseg lr-find` on an experiment of pipeline.yaml: the suggestion, the chart and the JSON, and its mistakes.</summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class LrFindCommandTests
{
    [Fact]
    public void Suggests_a_rate_charts_the_curve_and_names_mistakes()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("untrained: { model: segformer-mit_b0, epochs: 0 }",
            "dice: { model: simple-unet, lr: 0.001, loss: dice }", StringComparison.Ordinal));
        (int Exit, string Output) Petseg(params string[] args) => CliProcess.Run([.. args, "--config", dir["pipeline.yaml"]]);

        var (exit, log) = Petseg("lr-find", "tiny", "--steps", "20", "--min", "1e-5", "--max", "10");
        Assert.True(exit == 0, log);
        Assert.Contains("lr-find: tiny (simple-unet, Adam, batch 4, no augmentation), 20 steps over ", log);
        Assert.Matches(@"suggested lr: \d\.\de-\d\d, where the smoothed loss falls fastest \(the experiment trains at 0\.001\)", log);
        Assert.Contains("← steepest fall", log);
        Assert.True(new FileInfo(dir["out/lr-find/tiny.png"]).Length > 1000);
        var json = JsonDocument.Parse(File.ReadAllText(dir["out/lr-find/tiny.json"])).RootElement;
        var rates = json.GetProperty("lr").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(1e-5, rates[0], 1e-15);
        Assert.Contains(json.GetProperty("suggested_lr").GetDouble(), rates);
        Assert.Equal(rates.Count, json.GetProperty("smoothed_loss").GetArrayLength());

        (exit, log) = Petseg("lr-find", "tiny", "--steps", "20", "--min", "1e-5", "--max", "10", "--json");
        Assert.True(exit == 0, log);
        var printed = JsonDocument.Parse(log.Split('\n').Single(l => l.StartsWith('{'))).RootElement;
        Assert.Equal(json.GetProperty("loss").ToString(), printed.GetProperty("loss").ToString()); // the same test, repeated bit for bit

        // The test trains on the experiment's own loss: the same model and first batch, Dice's value instead of cross-entropy's.
        (exit, log) = Petseg("lr-find", "dice", "--steps", "20", "--min", "1e-5", "--max", "10");
        Assert.True(exit == 0, log);
        Assert.Contains("lr-find: dice (simple-unet, Adam, batch 4, loss dice, no augmentation), 20 steps over ", log);
        var dice = JsonDocument.Parse(File.ReadAllText(dir["out/lr-find/dice.json"])).RootElement.GetProperty("loss").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.NotEqual(json.GetProperty("loss")[0].GetDouble(), dice[0]);
        Assert.All(dice, l => Assert.InRange(l, 0, 1));

        (exit, log) = Petseg("lr-find", "tinny");
        Assert.Equal(1, exit);
        Assert.Contains("no experiment 'tinny' (did you mean 'tiny'?)", log);
        File.WriteAllText(dir["sweep.yaml"], TinyPipeline.Yaml.Replace("untrained: { model: segformer-mit_b0, epochs: 0 }",
            "sweep: { model: simple-unet, validation: 0.25, refit: true, matrix: { lr: [0.01, 0.001] } }", StringComparison.Ordinal));
        (exit, log) = CliProcess.Run("lr-find", "sweep", "--config", dir["sweep.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("'sweep' is a matrix; name one of its runs: sweep-1 (lr=0.01), sweep-2 (lr=0.001)", log);
        (exit, log) = CliProcess.Run("lr-find", "sweep-refit", "--config", dir["sweep.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("'sweep-refit' is a refit: it trains the row its matrix 'sweep' chooses; name that row (one of sweep-1, sweep-2)", log);
        (exit, log) = Petseg("lr-find", "tiny", "--steps", "5");
        Assert.Equal(2, exit);
        Assert.Contains("--steps must be at least 12", log);
        (exit, log) = Petseg("lr-find", "tiny", "--min", "0.1", "--max", "0.01");
        Assert.Equal(2, exit);
        Assert.Contains("--max must be above --min (0.1), not 0.01", log);
    }
}
