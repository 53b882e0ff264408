using System.Text.Json;
using PetSeg.Compute;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Compute;

/// <summary>
/// Training you can trust, end to end through <c>petseg</c>: results say what computed them (entry.json,
/// pipeline.lock, <c>exp show</c>, the report), a backend that fails its self-check under <c>strict</c> computes and
/// publishes nothing, and a loss that turns non-finite stops the run with where it happened, leaving the stage stale.
/// </summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class TrustedTrainingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private (int Exit, string Output) Petseg(string? fault, params string[] args) =>
        CliProcess.RunWith(new Dictionary<string, string> { [InjectedFaults.Variable] = fault ?? "" }, [.. args, "--config", _dir["pipeline.yaml"]]);

    private List<JsonElement> Status()
    {
        var (exit, output) = Petseg(null, "status", "--json");
        Assert.True(exit == 0, output);
        return JsonDocument.Parse(output[output.IndexOf('[')..]).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static string EntryJson(string storeObjects, string stage) =>
        Directory.EnumerateFiles(storeObjects, "entry.json", SearchOption.AllDirectories).Select(File.ReadAllText)
            .Single(t => JsonDocument.Parse(t).RootElement.GetProperty("Stage").GetString() == stage);

    [Fact]
    [Trait("Category", "Slow")]
    public void Results_record_the_cpu_the_kernels_and_the_verdict_they_were_computed_with()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);
        // The injected fault makes every machine take the padded path, so what is recorded is known here.
        var (exit, log) = Petseg("narrow-conv", "run", "report");
        Assert.True(exit == 0, log);
        Assert.Single(log.Split('\n'), l => l.Contains("warning: this CPU's default kernels fail the numerics self-check", StringComparison.Ordinal));
        var padded = KernelPath.PaddedNarrowConvolutions.Name();

        var train = JsonDocument.Parse(EntryJson(_dir["out/store/objects"], "train-tiny")).RootElement.GetProperty("Compute");
        Assert.Equal(CpuDescription.Model, train.GetProperty("Cpu").GetString());
        Assert.Equal(padded, train.GetProperty("Backend").GetString());
        Assert.Equal("passed", train.GetProperty("Verdict").GetString());
        Assert.Equal("cpu", train.GetProperty("Device").GetString());
        Assert.Equal($"{LibTorchFolder.PackageVersion} (package)", train.GetProperty("Libtorch").GetString()); // the library, not TorchSharp's constant
        // The child's own count (not this process's: the torch collection's numerics checks change it for a moment).
        int threads = train.GetProperty("Threads").GetInt32();
        Assert.InRange(threads, 1, Environment.ProcessorCount);
        Assert.False(JsonDocument.Parse(EntryJson(_dir["out/store/objects"], "preprocess")).RootElement.TryGetProperty("Compute", out _));

        var lockText = File.ReadAllText(_dir["pipeline.lock"]);
        Assert.Contains($"kernels: {padded}", lockText);
        Assert.Contains("numerics: passed", lockText);
        Assert.Contains("device: cpu", lockText);
        Assert.Contains($"libtorch: {LibTorchFolder.PackageVersion} (package)", lockText);
        Assert.Contains($"threads: {threads}", lockText);
        var report = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Contains("- device: cpu\n", report);
        Assert.Contains($"- libtorch: {LibTorchFolder.PackageVersion} (package)\n", report);
        Assert.Contains($"- CPU: {CpuDescription.Model}\n", report);
        Assert.Contains($"- CPU threads: {threads}\n", report);
        Assert.Contains($"- kernels: {padded}\n", report);
        Assert.Contains("- numerics self-check: passed\n", report);
        (exit, log) = Petseg(null, "exp", "show", "--csv");
        Assert.True(exit == 0, log);
        Assert.Contains("computed with", log.Split('\n')[0]);
        Assert.Contains($"cpu ({CpuDescription.Model}, {threads} thread(s)); {padded}; numerics passed", log);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Strict_on_a_failing_backend_computes_and_publishes_nothing()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, log) = Petseg("narrow-conv", "run", "train-tiny", "--numerics", "strict");
        Assert.True(exit == 1, log);
        Assert.Contains("error: numerics self-check failed on this CPU", log);
        Assert.Matches(@"conv[0-9x]+ [0-9]+→[0-9]+ [^:]*fp32 \(1 thread\): input gradient", log);
        Assert.DoesNotContain("   at ", log);
        var train = Status().Single(s => s.GetProperty("stage").GetString() == "train-tiny");
        Assert.False(train.GetProperty("fresh").GetBoolean());
        Assert.Equal(["never run"], train.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_loss_that_turns_non_finite_stops_training_with_where_and_the_last_finite_loss()
    {
        // The largest lr and weight decay the config takes: AdamW multiplies every weight by about −99 per step, and within a few steps the activations overflow.
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, optimizer: adamw, lr: 10, weight_decay: 10, epochs: 40 }"));
        var (exit, log) = Petseg(null, "run", "train-tiny");
        Assert.True(exit == 1, log);
        var error = log.Split('\n').Single(l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Matches(@"^error: train-tiny: the loss became (NaN|∞|-∞|Infinity|-Infinity) at epoch [0-9]+/40, batch [0-9]+/[0-9]+ \(the last finite loss was [0-9.E+-]+ at epoch [0-9]+, batch [0-9]+\)", error);
        Assert.Contains("nothing was published", error);
        Assert.Contains("stays resumable", error);
        Assert.Single(Directory.EnumerateFiles(_dir["out/runs"], "last.ckpt", SearchOption.AllDirectories)); // the last good epoch's
        Assert.Contains("error: train-tiny: the loss became", Directory.EnumerateFiles(_dir["out/runs"], "train.log", SearchOption.AllDirectories).Select(File.ReadAllText).Single());
        Assert.Contains("(lr 10, weight decay 10)", error);
        Assert.DoesNotContain("   at ", log);
        var train = Status().Single(s => s.GetProperty("stage").GetString() == "train-tiny");
        Assert.False(train.GetProperty("fresh").GetBoolean());
        Assert.DoesNotContain(Directory.EnumerateFiles(_dir["out/store/objects"], "entry.json", SearchOption.AllDirectories),
            f => File.ReadAllText(f).Contains("\"train-tiny\"", StringComparison.Ordinal));
        Assert.Empty(Directory.Exists(_dir["out/store/tmp"]) ? Directory.EnumerateFileSystemEntries(_dir["out/store/tmp"]) : []);
    }
}
