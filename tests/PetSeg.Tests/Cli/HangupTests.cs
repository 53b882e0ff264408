using System.Diagnostics;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// A training whose terminal closes (an SSH connection dropped, a window shut): the kernel hangs up the terminal and
/// sends SIGHUP. It stops as on SIGTERM — saving where it got to, leaving no work folder — instead of dying at once
/// with its epoch's batches lost; and writes to the dead terminal do not turn the stop into a crash.
/// </summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class HangupTests
{
    [Fact]
    public void A_training_whose_terminal_hangs_up_stops_cleanly_and_saves_where_it_got_to()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1, batch_size: 4 }", "training: { epochs: 400, batch_size: 1 }"));
        var cli = CliProcess.StartInfo(null, "run", "train-tiny", "--config", dir["pipeline.yaml"]);
        // script(1) gives petseg a terminal of its own; killing script closes it, and the kernel hangs it up.
        var command = "exec dotnet " + string.Join(' ', cli.ArgumentList.Select(a => $"'{a}'"));
        using var terminal = Process.Start(new ProcessStartInfo("script", ["-qfec", command, "/dev/null"]) { RedirectStandardOutput = true, RedirectStandardInput = true })!;
        _ = terminal.StandardOutput.ReadToEndAsync();
        string? trainLog = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(120); trainLog is null || !File.ReadAllText(trainLog).Contains("epoch 2/400", StringComparison.Ordinal);)
        {
            Assert.True(DateTime.UtcNow < deadline && !terminal.HasExited, "the training never reached its second epoch");
            Thread.Sleep(50);
            trainLog = Directory.Exists(dir["out/runs"]) ? Directory.GetFiles(dir["out/runs"], "train.log", SearchOption.AllDirectories).FirstOrDefault() : null;
        }
        var petseg = Process.GetProcesses().Where(p => CommandLine(p.Id).Contains(dir["pipeline.yaml"], StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(petseg);
        terminal.Kill(); // SIGKILL to script: the terminal's other end closes
        foreach (var p in petseg) Assert.True(p.WaitForExit(30_000), "petseg still running 30 s after its terminal hung up");

        var log = File.ReadAllText(trainLog!);
        Assert.Matches(@"stopped after \d+ of 400 epoch\(s\)( and \d+ batch\(es\) of the next)?: saved in .*last\.ckpt; the same command again resumes there", log);
        Assert.Empty(Directory.Exists(dir["out/store/tmp"]) ? Directory.GetFileSystemEntries(dir["out/store/tmp"]) : []);
        var (exit, status) = CliProcess.Run("status", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, status);
        Assert.Matches(@"a stopped run left \d+ of 400 epoch\(s\)( and \d+ batch\(es\) of the next)? done: running it resumes there", status);
    }

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }
}
