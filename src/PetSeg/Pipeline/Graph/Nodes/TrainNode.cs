using System.Text.Json;
using PetSeg.Data.Cache;
using PetSeg.Models;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Stages;
using PetSeg.Training;

namespace PetSeg.Pipeline.Graph.Nodes;

/// <summary>
/// Trains one experiment. Work in progress lives in <c>artifacts/runs/&lt;key&gt;/</c> (per-epoch checkpoints, so an
/// interrupted run resumes there); the finished checkpoint, loss history and log are published to the store.
/// Experiments with identical settings get identical keys and so train once.
/// </summary>
public sealed class TrainNode(PipelineConfig config, ExperimentConfig experiment) : Stage
{
    public ExperimentConfig Experiment => experiment;
    public override string Id => $"train-{experiment.Id}";
    public override string Kind => "train";
    public override string CodeVersion => Stages.CodeVersion.Train;
    public override IReadOnlyList<string> DependsOn => experiment.Pretrained ? ["preprocess", "weights"] : ["preprocess"];
    public override SortedDictionary<string, string> Parameters => CanonicalParams.Training(experiment.Settings, experiment.Pretrained);

    public override bool UsesInput(string dependency, string output) =>
        dependency != "preprocess" || output == "trainval.petc";

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var settings = experiment.Settings;
        if (experiment.Pretrained)
            settings = settings with { EncoderWeights = c.Input("weights", ModelZoo.EncoderName(settings.Model.Architecture)!).Path };
        var runDir = Path.Combine(config.ArtifactsDir, "runs", c.Key[(c.Key.IndexOf(':') + 1)..]);
        using var train = TensorCache.Open(c.Input("preprocess", "trainval.petc").Path);
        c.Ui.Info($"{Id}: {settings.Model}, {settings.Optimizer.Name} lr {settings.Optimizer.LearningRate} wd {settings.Optimizer.WeightDecay}, " +
                  $"{settings.Epochs} epoch(s), batch {settings.BatchSize}, {(settings.Augmentation is null ? "no augmentation" : "augmentation")}, {train.Count} images");
        var result = new Trainer(settings, runDir, c.Ui).Run(train, c.Key, c.Cancellation);
        result.Model.Dispose();

        var outputs = new Dictionary<string, StageOutput>();
        void Put(string name, string source)
        {
            var target = Path.Combine(c.OutputDir, name);
            File.Copy(source, target, overwrite: true);
            outputs[name] = new StageOutput(target, c.Digests.Of(target));
        }
        Put("model.ckpt", Path.Combine(runDir, "last.ckpt"));
        if (File.Exists(Path.Combine(runDir, "train.log"))) Put("train.log", Path.Combine(runDir, "train.log"));
        var losses = Path.Combine(c.OutputDir, "losses.json");
        // No timings in here: equal runs give equal files (durations live in the store entry).
        IO.AtomicFile.WriteAllText(losses, JsonSerializer.Serialize(new { experiment = experiment.Id, epoch_losses = result.EpochLosses }) + "\n");
        outputs["losses.json"] = new StageOutput(losses, c.Digests.Of(losses));
        IO.AtomicFile.TryDelete(runDir);
        return outputs;
    }
}
