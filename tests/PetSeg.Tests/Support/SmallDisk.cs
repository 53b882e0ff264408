using System.Diagnostics;

namespace PetSeg.Tests.Support;

/// <summary>
/// A folder on a file system of a few megabytes, private to one shell: <c>unshare --mount</c> gives the shell its own
/// mount table, where a tmpfs of the given size is mounted over the folder. It vanishes with the shell, so a test that
/// fails or is killed leaves no mount behind on the machine. The script runs in the folder with <c>petseg</c> on hand
/// (the program as the other CLI tests start it) and may grow the disk with <c>grow SIZE</c> or make it read-only with
/// <c>freeze</c> (remounts: the files stay).
/// Needs root (CI runs as root) or unprivileged user namespaces; elsewhere it fails saying so.
/// </summary>
public static class SmallDisk
{
    public static (int Exit, string Output) Run(string folder, string size, string script)
    {
        Directory.CreateDirectory(folder);
        var cli = Path.Combine(AppContext.BaseDirectory, "PetSeg.Cli.dll");
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Environment.UserName == "root" ? ["--mount"] : new[] { "--mount", "--map-root-user" }) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "bash", "-c", $$"""
            set -u
            exec 2>&1
            mount -t tmpfs -o size={{size}} petseg-small-disk '{{folder}}' || { echo "SmallDisk: cannot mount a tmpfs here (run the tests as root)"; exit 97; }
            cd '{{folder}}'
            petseg() { dotnet '{{cli}}' "$@"; }
            grow() { mount -o remount,size="$1" '{{folder}}'; }
            freeze() { mount -o remount,ro '{{folder}}'; }
            {{script}}
            """ }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var output = stdout.Result + stderr;
        return p.ExitCode == 97 ? throw new InvalidOperationException(output) : (p.ExitCode, output);
    }
}
