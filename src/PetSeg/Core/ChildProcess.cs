using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PetSeg.Core;

/// <summary>
/// How a parent petseg asks its child processes to stop. A child started by a parent leaves Ctrl-C to it (the terminal
/// sends SIGINT to the whole process group, and a second signal would kill the child at once): the parent sends one
/// SIGTERM, after which the child stops at the end of its step as on its own Ctrl-C. A second Ctrl-C kills the parent
/// at once, and so its children (<see cref="KillAll"/>): they ignore the terminal's signals and would live on.
/// </summary>
public static class ChildProcess
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Process> Live = new();

    /// <summary>A child this process started and stops: killed by <see cref="KillAll"/> until <see cref="Forget"/>.</summary>
    public static void Track(Process process) => Live[process.Id] = process;

    public static void Forget(Process process) => Live.TryRemove(process.Id, out _);

    /// <summary>Kills every tracked child and its descendants (a second Ctrl-C); returns how many there were.</summary>
    public static int KillAll()
    {
        int killed = 0;
        foreach (var (pid, process) in Live)
        {
            try { process.Kill(entireProcessTree: true); killed++; }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { } // already gone
            Live.TryRemove(pid, out _);
        }
        return killed;
    }

    /// <summary>
    /// A child's exit code as a user can act on it: "exit 1", or, for a child a signal killed (.NET reports 128 + the
    /// signal on Linux and macOS), which signal and what usually sends it.
    /// </summary>
    public static string DescribeExit(int exitCode) => OperatingSystem.IsWindows() ? $"exit {exitCode}" : exitCode switch
    {
        134 => "exit 134: SIGABRT, an abort inside native code",
        136 => "exit 136: SIGFPE, an arithmetic fault inside native code ('petseg doctor' checks this CPU's kernels)",
        137 => "exit 137: SIGKILL, killed from outside; the kernel's out-of-memory killer does this when memory runs out",
        139 => "exit 139: SIGSEGV, a memory fault inside native code",
        _ => $"exit {exitCode}",
    };

    /// <summary>Set in a child's environment by the parent that stops it.</summary>
    public const string StoppedByParentVariable = "PETSEG_STOPPED_BY_PARENT";

    public static bool IsStoppedByParent => Environment.GetEnvironmentVariable(StoppedByParentVariable) == "1";

    /// <summary>SIGTERM (stop at the end of the step and clean up); on Windows, which has none, the process is killed.</summary>
    public static void Terminate(Process process)
    {
        try
        {
            if (OperatingSystem.IsWindows()) process.Kill(entireProcessTree: true);
            else if (!process.HasExited) _ = kill(process.Id, 15);
        }
        catch (InvalidOperationException) { } // already gone
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
