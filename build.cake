// Thin on purpose: the stage graph, the keys and the cache decisions live in the petseg library (src/PetSeg), so
// Cake, the CLI and the tests behave the same. This file asks petseg for the graph and registers one task per stage.
//   dotnet cake --target=Report [--profile=smoke] [--exclusive] [--force] [--no-build]
//   dotnet cake --target=Train-unet-base --exclusive     rerun one stage alone after a config change
//   dotnet cake --target=Status                          which stages are stale and why
using System.Text.Json;

var target = Argument("target", "Report");
var configuration = Argument("configuration", "Release");
var profile = Argument("profile", EnvironmentVariable("PETSEG_PROFILE") ?? "");
var config = Argument("config", "pipeline.yaml");
var force = HasArgument("force");
var noBuild = HasArgument("no-build");
var cli = $"src/PetSeg.Cli/bin/{configuration}/net10.0/PetSeg.Cli.dll";

string Options() => $" --config \"{config}\"" + (profile.Length > 0 ? $" --profile {profile}" : "");

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

// The program must exist before the graph can be asked for; --no-build skips this when nothing changed.
if (!noBuild || !FileExists(cli))
    DotNetBuild("src/PetSeg.Cli/PetSeg.Cli.csproj", new DotNetBuildSettings { Configuration = configuration, NoLogo = true, Verbosity = DotNetVerbosity.Quiet });

// One call decides freshness for every stage (no process per fresh stage).
var stale = new HashSet<string>();
foreach (var s in JsonDocument.Parse(string.Join("", PetsegLines("status --json"))).RootElement.EnumerateArray())
    if (!s.GetProperty("fresh").GetBoolean()) stale.Add(s.GetProperty("stage").GetString());
var ran = new HashSet<string>();

string TaskName(string id)
{
    var dash = id.IndexOf('-');
    var head = dash < 0 ? id : id.Substring(0, dash);
    return char.ToUpperInvariant(head[0]) + head.Substring(1) + (dash < 0 ? "" : id.Substring(dash));
}

var groups = new Dictionary<string, CakeTaskBuilder>
{
    ["train"] = Task("Train").Description("Train every experiment."),
    ["evaluate"] = Task("Evaluate").Description("Evaluate every experiment."),
};
foreach (var line in PetsegLines("stages"))
{
    var parts = line.Split('\t');
    var (id, kind, deps) = (parts[0], parts[1], parts[2].Length == 0 ? new string[0] : parts[2].Split(','));
    var task = Task(TaskName(id))
        .Description($"{kind} stage '{id}'")
        .Does(() =>
        {
            // Fresh (key in the store) and nothing upstream reran: skip without starting a process.
            if (!force && !stale.Contains(id) && !deps.Any(ran.Contains)) { Information($"{id}: fresh"); return; }
            Petseg($"run {id} --exclusive" + (force && TaskName(id).Equals(target, StringComparison.OrdinalIgnoreCase) ? " --force" : ""));
            ran.Add(id);
        });
    foreach (var d in deps) task.IsDependentOn(TaskName(d));
    if (groups.TryGetValue(kind, out var group)) group.IsDependentOn(TaskName(id));
}

Task("Status")
    .Description("List every stage as fresh or stale, and why.")
    .Does(() => Petseg("status"));

Task("GC")
    .Description("Delete store entries that pipeline.lock no longer references.")
    .Does(() => Petseg("gc"));

Task("Test")
    .Description("Run the test suite.")
    .Does(() => DotNetTest("PetSegPipeline.sln", new DotNetTestSettings { Configuration = configuration, NoLogo = true }));

RunTarget(target);
