using System.Globalization;
using System.Text.RegularExpressions;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>`petseg bench lab`: measures each configured model once and projects every experiment's wall time from it.</summary>
public sealed class BenchLabCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Projects_each_experiment_from_its_models_measured_rates()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1, batch_size: 4 }", "training: { epochs: 3, batch_size: 4 }")
            .Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, validation: 0.25 }")
            .Replace("untrained: { model: segformer-mit_b0, epochs: 0 }", "untrained: { model: segformer-mit_b0, epochs: 0, tta: hflip }"));
        var (exit, output) = CliProcess.Run("bench", "lab", "--config", _dir["pipeline.yaml"], "--steps", "2");
        Assert.True(exit == 0, output);
        // 8 synthetic pairs: 4 train, 4 test; each distinct model measured once.
        Assert.Contains("2 experiment run(s), 4 training and 4 test images", output);
        var rate = Regex.Match(output, @"simple-unet 32² batch 4 fp32: train ([0-9.]+) images/s, eval ([0-9.]+) images/s");
        Assert.True(rate.Success, output);
        var segformer = Regex.Match(output, @"segformer-mit_b0 32² batch 4 fp32: train [0-9.]+ images/s, eval ([0-9.]+) images/s");
        Assert.True(segformer.Success, output);
        // tiny holds 1 of its 4 images out: 3 epochs × (3 images / train rate + 1 validation image / eval rate), then the
        // 4 test images and the validation image once more / eval rate, printed to the second.
        double train = double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture), eval = double.Parse(rate.Groups[2].Value, CultureInfo.InvariantCulture);
        var expected = TimeSpan.FromSeconds(3 * (3 / train + 1 / eval) + (4 + 1) / eval);
        Assert.Contains($"tiny                           3 epoch(s) × 3 images (+ 1 validation) → {expected.Minutes} min {expected.Seconds:D2} s", output);
        // A flip at test time scores each of the 4 test images twice.
        var flipped = TimeSpan.FromSeconds(2 * 4 / double.Parse(segformer.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Contains($"untrained                      0 epoch(s) × 4 images, tta: hflip (evaluation ×2) → {flipped.Minutes} min {flipped.Seconds:D2} s", output);
        Assert.Contains("projected: ", output);
    }

    [Fact]
    public void A_broken_config_is_one_line_naming_the_file()
    {
        File.WriteAllText(_dir["pipeline.yaml"], "training:\n  epochs: many\n");
        var (exit, output) = CliProcess.Run("bench", "lab", "--config", _dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("pipeline.yaml:2", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    public void Dispose() => _dir.Dispose();
}
