// Thin on purpose: the stages, their keys and the cache decisions live in the petseg library (src/PetSeg),
// so Cake, the CLI and the tests behave the same. This file only exposes them as Cake targets.
//   dotnet cake --target=Preprocess [--profile=smoke] [--configuration=Release]
var target = Argument("target", "Preprocess");
var configuration = Argument("configuration", "Release");
var profile = Argument("profile", EnvironmentVariable("PETSEG_PROFILE") ?? "");
var config = Argument("config", "pipeline.yaml");

var cli = $"src/PetSeg.Cli/bin/{configuration}/net10.0/PetSeg.Cli.dll";

void Petseg(string command)
{
    var args = $"\"{cli}\" {command} --config \"{config}\"" + (profile.Length > 0 ? $" --profile {profile}" : "");
    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = args });
    if (exit != 0) throw new Exception($"petseg {command} failed (exit code {exit}); see the message above.");
}

Task("Build")
    .Description("Compile the petseg command-line program.")
    .Does(() => DotNetBuild("src/PetSeg.Cli/PetSeg.Cli.csproj", new DotNetBuildSettings { Configuration = configuration, NoLogo = true, Verbosity = DotNetVerbosity.Quiet }));

Task("Download")
    .Description("Fetch and verify images.tar.gz and annotations.tar.gz (or generate them for the synthetic source), extract safely.")
    .IsDependentOn("Build")
    .Does(() => Petseg("download"));

Task("Preprocess")
    .Description("Decode and resize both splits into uint8 tensor caches.")
    .IsDependentOn("Download")
    .Does(() => Petseg("preprocess"));

Task("Test")
    .Description("Run the test suite.")
    .Does(() => DotNetTest("PetSegPipeline.sln", new DotNetTestSettings { Configuration = configuration, NoLogo = true }));

RunTarget(target);
