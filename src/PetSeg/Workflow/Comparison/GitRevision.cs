using System.Diagnostics;

namespace PetSeg.Workflow.Comparison;

/// <summary>A file as committed at a git revision (<c>git show REV:path</c>), for diffs against the working tree.</summary>
public static class GitRevision
{
    public static string ReadFile(string path, string revision)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        string top;
        try { top = Git(dir, "rev-parse", "--show-toplevel").Trim(); }
        catch (PetSeg.Core.PetSegException e) when (e.Message.Contains("not a git repository", StringComparison.Ordinal))
        {
            throw new PetSeg.Core.PetSegException($"{dir} is not in a git repository: the diffs compare {Path.GetFileName(full)} with the one committed at a revision " +
                $"(git init, then commit {Path.GetFileName(full)}; `exp show` needs no git)");
        }
        var relative = Path.GetRelativePath(top, full).Replace(Path.DirectorySeparatorChar, '/');
        return Git(dir, "show", $"{revision}:{relative}");
    }

    private static string Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { throw new PetSeg.Core.PetSegException("git is not installed; metrics/params diff read the other revision's lock file through git"); }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new PetSeg.Core.PetSegException($"git {string.Join(' ', args)}: {stderr.Trim()}");
            return stdout.Result;
        }
    }
}
