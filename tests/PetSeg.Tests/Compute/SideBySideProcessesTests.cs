using System.Diagnostics;
using PetSeg.Compute;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Compute;

/// <summary>
/// A training started while another petseg computes on the same machine says that their waiting threads will spin on
/// each other's cores and what to set, unless OMP_WAIT_POLICY or OMP_NUM_THREADS already decides.
/// </summary>
public sealed class SideBySideProcessesTests
{
    [Theory]
    [InlineData(new[] { "dotnet", "/opt/petseg/PetSeg.Cli.dll", "run", "train-unet-base" }, true)]
    [InlineData(new[] { "/usr/local/bin/petseg", "bench", "train-step" }, true)]
    [InlineData(new[] { "./PetSeg.Cli", "predict", "a.jpg" }, true)]
    [InlineData(new[] { "dotnet", "/opt/petseg/PetSeg.Cli.dll", "status" }, false)]   // computes nothing
    [InlineData(new[] { "dotnet", "/opt/petseg/PetSeg.Cli.dll" }, false)]
    [InlineData(new[] { "dotnet", "testhost.dll", "run" }, false)]
    [InlineData(new[] { "bash", "-c", "petseg-run" }, false)]
    public void A_computing_petseg_is_told_from_its_command_line(string[] args, bool computing) =>
        Assert.Equal(computing, SideBySideProcesses.IsComputingPetseg(args));

    [Fact]
    public void A_training_beside_another_computing_petseg_warns_unless_the_environment_decides()
    {
        using var dir = new TempDir();
        // Another petseg "computing": a process whose command line is one (bash stays the process: two commands).
        using var other = Process.Start(new ProcessStartInfo("bash", ["-c", "sleep 60; true", "/opt/petseg/PetSeg.Cli.dll", "run", "train-x"]))!;
        try
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(10); !SideBySideProcesses.Others("/proc", Environment.ProcessId).Contains(other.Id);)
            {
                Assert.True(DateTime.UtcNow < deadline, "the stand-in process never showed in /proc");
                Thread.Sleep(50);
            }
            string? Env(string name) => null;
            Assert.Matches($@"^warning: .*\(pids? ([0-9]+, )*{other.Id}(, [0-9]+)*\)", SideBySideProcesses.Warning(Env, "/proc", Environment.ProcessId) ?? "(none)");
            Assert.Null(SideBySideProcesses.Warning(n => n == "OMP_WAIT_POLICY" ? "PASSIVE" : null, "/proc", Environment.ProcessId));
            Assert.Null(SideBySideProcesses.Warning(n => n == "OMP_NUM_THREADS" ? "1" : null, "/proc", Environment.ProcessId));
            Assert.Null(SideBySideProcesses.Warning(Env, dir["no-proc-here"], Environment.ProcessId)); // no /proc: nothing said

            // Through the program: the training's log says it (the suite sets OMP_WAIT_POLICY for every test; unset here).
            File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
            var (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "" }, "run", "train-tiny", "--config", dir["pipeline.yaml"]);
            Assert.True(exit == 0, log);
            // Other tests' petseg processes may be listed beside it: "another … (pid N)" or "3 other … (pids N, M, …)".
            var warning = log.Split('\n').FirstOrDefault(line => line.Contains("on this machine (pid", StringComparison.Ordinal), "(no warning)");
            Assert.StartsWith("warning: ", warning, StringComparison.Ordinal);
            Assert.Matches($@"\(pids? ([0-9]+, )*{other.Id}(, [0-9]+)*\)", warning);
            var trainLog = Directory.GetFiles(dir["out"], "train.log", SearchOption.AllDirectories).Single();
            Assert.Contains("Set OMP_WAIT_POLICY=PASSIVE", File.ReadAllText(trainLog), StringComparison.Ordinal);
            // Started by a wrapper whose command line is the same petseg command (timeout, srun): the wrapper is not another process computing.
            var (wrappedExit, wrappedLog, wrapperPid) = CliProcess.RunUnder(["timeout", "120"], new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "" },
                "run", "train-tiny", "--force", "--config", dir["pipeline.yaml"]);
            Assert.True(wrappedExit == 0, wrappedLog);
            warning = wrappedLog.Split('\n').FirstOrDefault(line => line.Contains("on this machine (pid", StringComparison.Ordinal), "(no warning)");
            Assert.Matches($@"\(pids? ([0-9]+, )*{other.Id}(, [0-9]+)*\)", warning); // the stand-in still is
            Assert.DoesNotMatch($@"[ (]{wrapperPid}[,)]", warning);
            Assert.Contains(Environment.ProcessId, SideBySideProcesses.Ancestors("/proc", other.Id)); // the stand-in's parent is this test host

            (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "PASSIVE" }, "run", "train-tiny", "--force", "--config", dir["pipeline.yaml"]);
            Assert.True(exit == 0, log);
            Assert.DoesNotContain("petseg process", log, StringComparison.Ordinal);
        }
        finally
        {
            other.Kill();
            other.WaitForExit();
        }
    }
}
