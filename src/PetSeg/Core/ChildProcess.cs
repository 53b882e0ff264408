using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PetSeg.Core;

/// <summary>
/// How a parent petseg asks its child processes to stop. A child started by a parent leaves Ctrl-C to it (the terminal
/// sends SIGINT to the whole process group, and a second signal would kill the child at once): the parent sends one
/// SIGTERM, after which the child stops at the end of its step as on its own Ctrl-C.
/// </summary>
public static class ChildProcess
{
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
