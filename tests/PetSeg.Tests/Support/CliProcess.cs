using System.Diagnostics;

namespace PetSeg.Tests.Support;

/// <summary>The `petseg` program as a user starts it: `dotnet PetSeg.Cli.dll …` from the test output folder.</summary>
public static class CliProcess
{
    public static ProcessStartInfo StartInfo(string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        psi.Environment.Remove("COLUMNS"); // output laid out at the width of a pipe (80), whatever the shell running the tests exports
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PetSeg.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs to completion; returns the exit code and stdout + stderr.</summary>
    public static (int Exit, string Output) Run(params string[] args) => RunWith(new Dictionary<string, string>(), args);

    /// <summary>Runs to completion with extra environment variables; returns the exit code and stdout + stderr.</summary>
    public static (int Exit, string Output) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunIn(null, environment, args);

    /// <summary>Runs to completion in <paramref name="workingDirectory"/> (as a user in that folder); returns the exit code and stdout + stderr.</summary>
    public static (int Exit, string Output) RunIn(string workingDirectory, params string[] args) =>
        RunIn(workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>
    /// Runs under a wrapper program (<c>timeout 120 dotnet PetSeg.Cli.dll …</c>, as a user's script or srun would);
    /// returns the exit code, stdout + stderr, and the wrapper's pid.
    /// </summary>
    public static (int Exit, string Output, int WrapperPid) RunUnder(string[] wrapper, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(wrapper[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("COLUMNS");
        foreach (var a in wrapper.Skip(1).Concat(StartInfo(null, args).ArgumentList.Prepend("dotnet"))) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr, p.Id);
    }

    private static (int Exit, string Output) RunIn(string? workingDirectory, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var psi = StartInfo(workingDirectory, args);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }
}
