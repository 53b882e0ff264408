using PetSeg.Workflow.Cluster;
using PetSeg.Lab.Config;
using PetSeg.Lab;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Cluster;

/// <summary>A stage that computes on CUDA asks Slurm for a GPU; cluster: can say how; the CPU and auto stages ask for none.</summary>
public sealed class GpuJobResourcesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private PipelineConfig Load(string yaml)
    {
        File.WriteAllText(_dir["pipeline.yaml"], yaml);
        return PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
    }

    [Fact]
    public void Cuda_stages_ask_for_one_gpu_unless_the_cluster_section_says_how()
    {
        var config = Load(TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, device: cuda }"));
        var graph = LabPipeline.Build(config);
        string? Gres(string id) => ClusterSubmitter.ResourcesFor(graph.Stages.Single(s => s.Id == id), config.Cluster).Gres;
        Assert.Equal("gpu:1", Gres("train-tiny"));
        Assert.Equal("gpu:1", Gres("evaluate-tiny"));
        Assert.Null(Gres("train-untrained")); // compute.device: auto
        Assert.Null(Gres("preprocess"));      // computes nothing with torch

        // The job script exports what cuBLAS needs to be deterministic, for the CUDA stages only.
        var script = JobScript.Render("train-tiny", "j", "log", config.Cluster, new(), ["petseg"], "/w",
            ClusterSubmitter.EnvironmentFor(graph.Stages.Single(s => s.Id == "train-tiny"), config.Compute));
        Assert.Contains("export CUBLAS_WORKSPACE_CONFIG=:4096:8\n", script);
        Assert.Empty(ClusterSubmitter.EnvironmentFor(graph.Stages.Single(s => s.Id == "train-untrained"), config.Compute));

        config = Load(TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, device: cuda, cluster: { gres: 'gpu:h200:1' } }"));
        graph = LabPipeline.Build(config);
        Assert.Equal("gpu:h200:1", Gres("train-tiny"));
    }
}
