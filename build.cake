// Thin on purpose: the stage graph, the keys and the cache decisions live in the petseg library (src/PetSeg), so
// Cake, the CLI and the tests behave the same. This file asks petseg for the graph and registers one task per stage.
//   dotnet cake --target=Report [--profile=demo|smoke] [--exclusive] [--force] [--no-build]
//   dotnet cake --target=Train-unet-base --exclusive     rerun one stage alone after a config change
//   dotnet cake --target=Status                          which stages are stale and why
//   dotnet cake --target=Check                           does this machine reproduce every stored result? (nothing is kept)
//   dotnet cake --target=Test                            the test suite (builds nothing else, starts no petseg)
//   dotnet cake --target=Push | Pull [--remote=team]     share results through the remote in pipeline.yaml
//   dotnet cake --target=Report --push | --no-remote     upload what is computed / work locally only
//   dotnet cake --target=Report --engine=slurm           one Slurm job per stale stage (cluster: in pipeline.yaml), waits
using System.Text.Json;

var target = Argument("target", "Report");
var configuration = Argument("configuration", "Release");
var profile = Argument("profile", EnvironmentVariable("PETSEG_PROFILE") ?? "");
var config = Argument("config", "pipeline.yaml");
var force = HasArgument("force");
var noBuild = HasArgument("no-build");
var remote = Argument("remote", "");
var noRemote = HasArgument("no-remote");
var push = HasArgument("push");
var engine = Argument("engine", "local");
var cli = $"src/PetSeg.Cli/bin/{configuration}/net10.0/PetSeg.Cli.dll";

string Options() => $" --config \"{config}\"" + (profile.Length > 0 ? $" --profile {profile}" : "")
    + (remote.Length > 0 ? $" --remote {remote}" : "") + (noRemote ? " --no-remote" : "");

void Petseg(string command)
{
    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = $"\"{cli}\" {command}{Options()}" });
    if (exit != 0) throw new Exception($"petseg {command} failed (exit code {exit}); see the message above.");
}

List<string> PetsegLines(string command)
{
    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = $"\"{cli}\" {command}{Options()}", RedirectStandardOutput = true }, out var lines);
    if (exit != 0) throw new Exception($"petseg {command} failed (exit code {exit}): {string.Join("\n", lines)}");
    return lines.ToList();
}

var built = false;
void EnsureBuilt()
{
    // --no-build skips this when nothing changed.
    if (built || (noBuild && FileExists(cli))) return;
    DotNetBuild("src/PetSeg.Cli/PetSeg.Cli.csproj", new DotNetBuildSettings { Configuration = configuration, NoLogo = true, Verbosity = DotNetVerbosity.Quiet });
    built = true;
}

// The library's plan: which stages a run would do work for (stale ones, and those that refresh a view when fresh), asked
// once and again only after a stage has run (one process for every fresh stage, none per stage).
HashSet<string> runsCache = null;
HashSet<string> Runs()
{
    if (runsCache is not null) return runsCache;
    runsCache = new HashSet<string>();
    foreach (var s in JsonDocument.Parse(string.Join("", PetsegLines("status --json"))).RootElement.EnumerateArray())
        if (s.GetProperty("runs").GetBoolean()) runsCache.Add(s.GetProperty("stage").GetString());
    return runsCache;
}

Task("Build").Description("Build the petseg program.").Does(EnsureBuilt);

Task("Test")
    .Description("Run the test suite.")
    .Does(() => DotNetTest("PetSegPipeline.sln", new DotNetTestSettings { Configuration = configuration, NoLogo = true }));

Task("Status")
    .Description("List every stage as fresh or stale, and why.")
    .IsDependentOn("Build")
    .Does(() => Petseg("status"));

Task("Verify")
    .Description("Re-hash every stored result; damaged ones are removed and rebuilt by the next run.")
    .IsDependentOn("Build")
    .Does(() => Petseg("verify"));

Task("Check")
    .Description("Compute every stage the report needs again and compare each output with the stored result (petseg run report --check --upstream).")
    .IsDependentOn("Build")
    .Does(() => Petseg("run report --check --upstream"));

Task("Push")
    .Description("Upload the results pipeline.lock names to the remote (skips what is there).")
    .IsDependentOn("Build")
    .Does(() => Petseg("push"));

Task("Pull")
    .Description("Download the results pipeline.lock names from the remote, verified; the next Report is all cache hits.")
    .IsDependentOn("Build")
    .Does(() => Petseg("pull"));

Task("Experiments")
    .Description("One table of experiments × differing parameters × metrics (petseg exp show).")
    .IsDependentOn("Build")
    .Does(() => Petseg("exp show"));

Task("GC")
    .Description("Delete store entries that no profile's lock file references.")
    .IsDependentOn("Build")
    .Does(() => Petseg("gc"));

string TaskName(string id)
{
    var dash = id.IndexOf('-');
    var head = dash < 0 ? id : id.Substring(0, dash);
    return char.ToUpperInvariant(head[0]) + head.Substring(1) + (dash < 0 ? "" : id.Substring(dash));
}

// Stage tasks exist only for targets that need the graph: Test, Build, Status and GC start no petseg process first.
var fixedTargets = new[] { "Build", "Test", "Status", "Verify", "Check", "GC", "Push", "Pull", "Experiments" };
var isFixed = fixedTargets.Any(t => t.Equals(target, StringComparison.OrdinalIgnoreCase));
if (!isFixed && engine == "slurm")
{
    // The cluster runs the stages: one job per stale stage, chained by Slurm; petseg follows them to the end.
    Task(target).IsDependentOn("Build").Does(() => Petseg($"submit {target.ToLowerInvariant()} --wait"));
}
else if (!isFixed)
{
    EnsureBuilt(); // the graph comes from the program
    var groups = new Dictionary<string, CakeTaskBuilder>();
    foreach (var line in PetsegLines("stages"))
    {
        var parts = line.Split('\t');
        var (id, kind, deps, groupName) = (parts[0], parts[1], parts[2].Length == 0 ? new string[0] : parts[2].Split(','), parts[3]);
        var forced = force && TaskName(id).Equals(target, StringComparison.OrdinalIgnoreCase);
        var task = Task(TaskName(id))
            .Description($"{kind} stage '{id}'")
            .WithCriteria(() => forced || Runs().Contains(id), "fresh (its key is in the store)")
            .Does(() =>
            {
                Petseg($"run {id} --exclusive" + (forced ? " --force" : "") + (push ? " --push" : ""));
                runsCache = null; // what is stale downstream may have changed
            });
        foreach (var d in deps) task.IsDependentOn(TaskName(d));
        if (groupName.Length == 0) continue;
        if (!groups.TryGetValue(groupName, out var group))
            groups[groupName] = group = Task(TaskName(groupName)).Description($"Every '{groupName}' stage.");
        group.IsDependentOn(TaskName(id));
    }
}

RunTarget(target);
