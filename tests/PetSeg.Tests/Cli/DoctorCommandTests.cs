using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Tests.Support;
using PetSeg.Training.Memory;

namespace PetSeg.Tests.Cli;

/// <summary>
/// <c>petseg doctor</c> as a user runs it: the machine's facts, every check with its worst error, the path auto settles
/// on and a verdict, as tables or <c>--json</c>; a kernel made wrong (<c>PETSEG_NUMERICS_FAULT</c>) is reported.
/// </summary>
public sealed class DoctorCommandTests
{
    private static (int Exit, JsonElement Json, string Output) Doctor(string? fault, params string[] args) =>
        DoctorWith(new Dictionary<string, string> { [InjectedFaults.Variable] = fault ?? "" }, args);

    private static (int Exit, JsonElement Json, string Output) DoctorWith(Dictionary<string, string> env, params string[] args)
    {
        var (exit, output) = CliProcess.RunWith(env, ["doctor", "--json", .. args]);
        var start = output.IndexOf("{\n", StringComparison.Ordinal);
        Assert.True(start >= 0, output);
        using var doc = JsonDocument.Parse(output[start..output.LastIndexOf('}')] + "}");
        return (exit, doc.RootElement.Clone(), output);
    }

    /// <summary>A JSON number, or one of the strings our JSON rule writes for non-finite values ("NaN", "Infinity").</summary>
    private static double Number(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetDouble();

    [Fact]
    public void Doctor_reports_the_machine_and_a_check_that_passes_on_the_path_auto_uses()
    {
        var (exit, json, output) = Doctor(null, "--bf16");
        Assert.True(exit == 0, output);
        Assert.Equal(PetSeg.Core.BuildVersion.Text, json.GetProperty("petseg").GetString()); // which build reported this
        Assert.Equal(CpuDescription.Model, json.GetProperty("cpu").GetString());
        Assert.StartsWith("2.10", json.GetProperty("libtorch").GetString());
        Assert.True(json.GetProperty("torch_threads").GetInt32() >= 1);
        // test.runsettings sets PASSIVE for every test (and so for this child); with a policy set there is nothing to warn of.
        var policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } p ? p : null;
        Assert.Equal(policy, json.GetProperty("omp_wait_policy").GetString());
        if (policy is not null) Assert.Equal(JsonValueKind.Null, json.GetProperty("side_by_side").ValueKind);
        Assert.True(json.GetProperty("cuda_devices").GetInt32() >= 0);
        // The free space where the command ran (artifacts/ goes there by default); other tests write meanwhile: within 1 GB.
        Assert.InRange(json.GetProperty("disk_free_bytes").GetInt64(), DiskSpace.FreeBytes(".")!.Value - 1_000_000_000, DiskSpace.FreeBytes(".")!.Value + 1_000_000_000);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("libtorch_folder").ValueKind); // the package's libtorch
        Assert.True(json.GetProperty("onednn_enabled").ValueKind is JsonValueKind.True or JsonValueKind.False);
        var attempts = json.GetProperty("attempts").EnumerateArray().ToList();
        Assert.True(attempts[^1].GetProperty("passed").GetBoolean());
        var checks = attempts[0].GetProperty("checks").EnumerateArray().ToList();
        Assert.Contains(checks, c => c.GetProperty("precision").GetString() == "bf16");
        Assert.Contains(checks, c => c.GetProperty("name").GetString()!.StartsWith("conv3x3 16→2", StringComparison.Ordinal));
        Assert.True(json.GetProperty("passed").GetBoolean());
        Assert.StartsWith("passed", json.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Doctor_shows_the_memory_a_training_would_have_beside_the_trainings_the_ledger_knows()
    {
        using var dir = new TempDir();
        var ledger = new MemoryLedger(dir["ledger"], SystemMemory.This);
        using var other = Process.Start("sleep", "600"); // stands for a training that will peak at 1 GiB
        try
        {
            using var entry = ledger.Record(other.Id, "train-unet-aug", 1L << 30);
            var env = new Dictionary<string, string> { [MemoryLedger.Variable] = ledger.Folder, [SystemMemory.LimitVariable] = "3GiB" };
            var (exit, json, output) = DoctorWith(env);
            Assert.True(exit == 0, output);
            Assert.Equal(ledger.Folder, json.GetProperty("memory_ledger").GetString());
            var training = Assert.Single(json.GetProperty("trainings").EnumerateArray());
            Assert.Equal((other.Id, "train-unet-aug", 1L << 30), (training.GetProperty("pid").GetInt32(), training.GetProperty("label").GetString(), training.GetProperty("peak_bytes").GetInt64()));
            Assert.InRange(training.GetProperty("resident_bytes").GetInt64(), 1, 64L << 20); // a sleeping process
            Assert.Equal($"PETSEG_MEMORY_LIMIT=3GiB, shared with pid {other.Id} (train-unet-aug) at 1.0 GiB", json.GetProperty("memory_source").GetString());
            Assert.InRange(json.GetProperty("memory_available_bytes").GetInt64(), 1, 2L << 30); // 3 GiB less the other's 1 GiB and doctor's own size
            // As a table: the same facts, wrapped to the terminal's width.
            var (_, text) = CliProcess.RunWith(env, "doctor");
            var flat = Regex.Replace(text, @"\s+", " ");
            Assert.Contains($"trainings here pid {other.Id} (train-unet-aug): peaks at 1.0 GiB, holds ", flat);
            Assert.Contains($"(PETSEG_MEMORY_LIMIT=3GiB, shared with pid {other.Id} (train-unet-aug) at 1.0 GiB)", flat);
        }
        finally { other.Kill(); }
        var (badExit, bad, badOutput) = DoctorWith(new Dictionary<string, string> { [SystemMemory.LimitVariable] = "lots" });
        Assert.True(badExit == 0, badOutput); // the kernels are what doctor judges: a wrong cap is reported, not fatal
        Assert.StartsWith("PETSEG_MEMORY_LIMIT=lots is not a size", bad.GetProperty("memory_error").GetString());
        Assert.Equal(MemoryLedger.ForThisMachine().Folder, bad.GetProperty("memory_ledger").GetString()); // the machine's, without the variable
    }

    [Fact]
    public void The_check_prints_no_nnpack_warning()
    {
        // On a CPU NNPACK does not support (AMD Zen 5), each float64 reference convolution of the check printed
        // "Could not initialize NNPACK! Reason: Unsupported hardware." (52 lines before every computing command).
        var (exit, output) = CliProcess.Run("doctor", "--bf16");
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("NNPACK", output);
    }

    [Fact]
    public void Its_table_is_laid_out_for_COLUMNS_where_that_is_set()
    {
        // Written to a file or a pipe, Spectre lays tables out for 80 columns, where doctor's folds every row's name.
        static int Widest(string text) => text.Split('\n').Where(l => l.StartsWith('│')).Max(l => l.TrimEnd().Length);
        var (exit, narrow) = CliProcess.Run("doctor");
        Assert.True(exit == 0, narrow);
        Assert.True(Widest(narrow) <= 80, narrow);
        Assert.Contains("│ conv3x3 16→16 (Unet last ", narrow); // folded
        (exit, var wide) = CliProcess.RunWith(new Dictionary<string, string> { [PetSeg.Cli.Console.OutputWidth.Variable] = "160" }, "doctor");
        Assert.True(exit == 0, wide);
        Assert.InRange(Widest(wide), 81, 160);
        Assert.Contains("│ conv3x3 16→16 (Unet last block) ", wide);
        Assert.Null(PetSeg.Cli.Console.OutputWidth.Parse("wide"));
        Assert.Null(PetSeg.Cli.Console.OutputWidth.Parse("10"));
        Assert.Equal(200, PetSeg.Cli.Console.OutputWidth.Parse("200"));
    }

    [Fact]
    public void Doctor_names_an_injected_fault_and_the_path_that_avoids_it()
    {
        var (exit, json, output) = Doctor("narrow-conv");
        Assert.True(exit == 0, output);
        Assert.Equal("narrow-conv", json.GetProperty("injected_fault").GetString());
        var attempts = json.GetProperty("attempts").EnumerateArray().ToList();
        Assert.False(attempts[0].GetProperty("passed").GetBoolean());
        var wrong = attempts[0].GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("passed").GetBoolean()).ToList();
        Assert.Contains(wrong, c => c.GetProperty("name").GetString()!.StartsWith("conv3x3 16→2", StringComparison.Ordinal)
            && !(Number(c.GetProperty("input_gradient")) <= 0.4)); // wrong, or NaN (the real fault's, on a machine that has it)
        Assert.Equal(KernelPath.PaddedNarrowConvolutions.Name(), json.GetProperty("path").GetString());

        // strict checks the default kernels only and fails; the human-readable form says which computation is wrong.
        (exit, json, output) = Doctor("narrow-conv", "--numerics", "strict");
        Assert.Equal(1, exit);
        Assert.False(json.GetProperty("passed").GetBoolean());
        Assert.StartsWith("FAILED", json.GetProperty("verdict").GetString());
        var (humanExit, human) = CliProcess.RunWith(new Dictionary<string, string> { [InjectedFaults.Variable] = "everywhere" }, "doctor");
        Assert.Equal(1, humanExit);
        Assert.Contains("WRONG: input gradient", human);
        Assert.Contains("verdict:", human);
    }

    [Fact]
    public void Doctor_on_cuda_without_cuda_is_one_error_before_any_check_and_auto_checks_the_cpu()
    {
        var (exit, output) = CliProcess.Run("doctor", "--device", "cuda");
        Assert.Equal(1, exit);
        Assert.Contains("error: device cuda: no usable CUDA libtorch in this process", output);
        Assert.DoesNotContain("conv3x3", output); // refused before checking anything
        Assert.DoesNotContain("   at ", output);
        (exit, output) = CliProcess.Run("doctor", "--device", "gpu");
        Assert.NotEqual(0, exit);
        Assert.Contains("--device must be one of auto, cpu, cuda, cuda:N, not 'gpu'", output);
        var (autoExit, json, autoOutput) = Doctor(null); // auto, no GPU here: the CPU alone
        Assert.True(autoExit == 0, autoOutput);
        Assert.Equal("cpu", json.GetProperty("device").GetString());
        Assert.All(json.GetProperty("attempts").EnumerateArray(), a => Assert.Equal(JsonValueKind.Null, a.GetProperty("accelerator").ValueKind));
    }

    [Fact]
    public void A_bad_fault_name_or_mode_is_one_clear_error()
    {
        var (exit, output) = CliProcess.RunWith(new Dictionary<string, string> { [InjectedFaults.Variable] = "sometimes" }, "doctor");
        Assert.Equal(1, exit);
        Assert.Contains($"{InjectedFaults.Variable}=sometimes: unknown fault", output);
        Assert.DoesNotContain("   at ", output);
        (exit, output) = CliProcess.Run("doctor", "--numerics", "lenient");
        Assert.NotEqual(0, exit);
        Assert.Contains("--numerics must be one of auto, strict, off", output);
    }
}
