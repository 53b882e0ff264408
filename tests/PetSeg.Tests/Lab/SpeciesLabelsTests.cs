using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Lab;
using PetSeg.Lab.Stages;
using PetSeg.Tests.Support;
using PetSeg.Workflow.Runner;

namespace PetSeg.Tests.Lab;

/// <summary>
/// <c>dataset.labels: species</c>: Oxford-IIIT Pet as a three-class task (background, cat, dog), each pet's pixels
/// labelled by the species its split list gives, through every stage; the lab's keys unchanged without it.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class SpeciesLabelsTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Project(string more)
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("dataset: { source: synthetic,", $"dataset: {{ {more}source: synthetic,", StringComparison.Ordinal));
        return _dir["pipeline.yaml"];
    }

    [Fact]
    public void Labels_by_species_make_three_classes_from_the_lists_and_every_stage_follows()
    {
        var lab = PipelineConfigLoader.Load(Project(""));
        var file = Project("labels: species, ");
        var config = PipelineConfigLoader.Load(file);
        Assert.Equal(["background", "cat", "dog"], config.Dataset.ClassNames);
        Assert.All(config.Experiments, e => Assert.Equal(3, e.Settings.Model.Classes));
        Assert.Equal("species", new PreprocessStage(config).Parameters["labels"]);
        Assert.DoesNotContain("labels", new PreprocessStage(lab).Parameters.Keys); // the lab's keys as they were
        Assert.NotEqual(PreprocessStage.CacheDir(lab), PreprocessStage.CacheDir(config));

        var runs = LabPipeline.Runner(config, NullProgressSink.Instance).Run(StageIds.Report);
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        foreach (var split in new[] { "trainval", "test" })
        {
            using var cache = TensorCache.Open(PreprocessStage.CachePath(config, split));
            for (int i = 0; i < cache.Count; i++)
            {
                var stem = cache.Entries[i].Stem;
                byte species = char.IsUpper(stem[0]) ? (byte)1 : (byte)2; // Oxford names cats with a capital
                var labels = cache.Mask(i).ToArray().ToHashSet();
                Assert.Subset(new HashSet<byte> { 0, species, 255 }, labels); // the other species never
                Assert.Contains(species, labels);
            }
        }
        var report = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Contains("| Experiment | background | cat | dog | mean IoU |", report);

        var e = Assert.Throws<ConfigException>(() => PipelineConfigLoader.Load(Project("labels: breed, ")));
        Assert.Contains("dataset.labels: expected one of pet, species", e.Message);
        Directory.CreateDirectory(_dir["pets/images"]);
        Directory.CreateDirectory(_dir["pets/masks"]);
        File.WriteAllText(_dir["folder.yaml"], "dataset: { source: folder, labels: species, folder: { path: pets } }\n");
        Assert.Contains("dataset.labels: labels by species come from Oxford-IIIT Pet's lists; a folder names its own classes with dataset.folder.classes",
            Assert.Throws<ConfigException>(() => PipelineConfigLoader.Load(_dir["folder.yaml"])).Message);
    }

    [Fact]
    public void The_repository_pipeline_yaml_line_for_labels_loads_when_uncommented()
    {
        const string line = "  # labels: pet                 # pet (the lab: background, pet) | species (background, cat, dog: which pet is where)";
        var text = File.ReadAllText(RepoFiles.Path("pipeline.yaml"));
        Assert.Contains(line, text);
        File.WriteAllText(_dir["pipeline.yaml"], text.Replace(line, "  labels: species", StringComparison.Ordinal));
        Assert.Equal(["background", "cat", "dog"], PipelineConfigLoader.Load(_dir["pipeline.yaml"]).Dataset.ClassNames);
    }

    public void Dispose() => _dir.Dispose();
}
