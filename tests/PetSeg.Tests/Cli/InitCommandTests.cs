using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg init` starts a project where the repository is not (an installed `petseg` tool): the repository's own
/// pipeline.yaml, outputs ignored, never an existing pipeline.yaml replaced; the project it writes runs.
/// </summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Init_writes_the_labs_pipeline_yaml_and_ignores_its_outputs_and_the_project_runs()
    {
        var project = _dir["labs/pets"]; // created, parents included
        var (exit, log) = CliProcess.RunIn(_dir.Path, "init", "labs/pets");
        Assert.True(exit == 0, log);
        Assert.Equal(File.ReadAllBytes(RepoFiles.Path("pipeline.yaml")), File.ReadAllBytes(Path.Combine(project, "pipeline.yaml")));
        Assert.Contains("the lab's 14 experiments", log);
        Assert.Equal(["# petseg outputs (petseg init)", "/artifacts/", "pipeline.*.lock"], File.ReadAllLines(Path.Combine(project, ".gitignore")));
        Assert.Empty(Directory.GetFiles(project, ".*.tmp"));

        // The next steps it prints work there: status on the demo profile lists the lab's DAG, nothing run yet.
        Assert.Contains("petseg run report -p demo", log);
        (exit, log) = CliProcess.RunIn(project, "status", "-p", "demo");
        Assert.True(exit == 0, log);
        Assert.Contains("STALE  train-simple-vit-improved", log);
        Assert.Contains("STALE  report", log);
    }

    [Fact]
    public void Init_never_replaces_a_pipeline_yaml_and_a_missing_one_points_to_init()
    {
        var (exit, log) = CliProcess.RunIn(_dir.Path, "status");
        Assert.Equal(1, exit);
        Assert.Contains("pipeline.yaml: not found", log);
        Assert.Contains("petseg init", log);

        File.WriteAllText(_dir["pipeline.yaml"], "artifacts: mine\n");
        (exit, log) = CliProcess.RunIn(_dir.Path, "init");
        Assert.Equal(1, exit);
        Assert.Contains("pipeline.yaml already exists: nothing was written", log);
        Assert.Equal("artifacts: mine\n", File.ReadAllText(_dir["pipeline.yaml"]));
        Assert.False(File.Exists(_dir[".gitignore"]));
    }

    [Fact]
    public void Init_adds_only_the_ignore_lines_an_existing_gitignore_lacks()
    {
        var project = _dir["p"];
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, ".gitignore"), "bin/\npipeline.*.lock"); // no final newline
        var (exit, log) = CliProcess.RunIn(project, "init");
        Assert.True(exit == 0, log);
        Assert.Contains("ignored in .gitignore: /artifacts/", log);
        Assert.Equal(["bin/", "pipeline.*.lock", "# petseg outputs (petseg init)", "/artifacts/"], File.ReadAllLines(Path.Combine(project, ".gitignore")));

        File.Delete(Path.Combine(project, "pipeline.yaml"));
        (exit, log) = CliProcess.RunIn(project, "init");
        Assert.True(exit == 0, log);
        Assert.Contains(".gitignore already ignores the outputs", log);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(project, ".gitignore")).Length);
    }

    public void Dispose() => _dir.Dispose();
}
