using System.Diagnostics;
using PetSeg.Core;

namespace PetSeg.Tests.Core;

/// <summary>How a child's end is reported: real processes killed by the signals a petseg child dies of.</summary>
public sealed class ChildProcessTests
{
    [SkippableTheory]
    [InlineData("FPE", "exit 136: SIGFPE, an arithmetic fault inside native code")]
    [InlineData("KILL", "exit 137: SIGKILL, killed from outside; the kernel's out-of-memory killer")]
    [InlineData("SEGV", "exit 139: SIGSEGV, a memory fault inside native code")]
    [InlineData("ABRT", "exit 134: SIGABRT, an abort inside native code")]
    public void A_child_killed_by_a_signal_is_described_by_the_signal_and_its_usual_cause(string signal, string expected)
    {
        Skip.If(OperatingSystem.IsWindows(), "signals are POSIX");
        using var child = Process.Start(new ProcessStartInfo("sh", ["-c", $"kill -{signal} $$"]) { UseShellExecute = false })!;
        Assert.True(child.WaitForExit(10_000));
        Assert.StartsWith(expected, ChildProcess.DescribeExit(child.ExitCode), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ordinary_exit_code_is_just_the_code() => Assert.Equal("exit 1", ChildProcess.DescribeExit(1));
}
