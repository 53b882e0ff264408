using PetSeg.Lab.Config;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Lab.Stages;

/// <summary>
/// <c>train-&lt;matrix&gt;-refit</c>: trains the row its choose stage chose on all of trainval (nothing held out, no
/// early stopping) for the epochs the choice names, published like any training, so evaluate, report, export and
/// predict take it as an experiment; one per seed of the matrix. Its key is the choice's content (the chosen settings
/// and epochs) and its seed.
/// </summary>
public sealed class RefitStage(PipelineConfig config, ExperimentConfig experiment) : TrainStage(config, experiment)
{
    private readonly MatrixRefit _refit = experiment.Refit ?? throw new ArgumentException($"{experiment.Id} is not a refit", nameof(experiment));
    private readonly long _seed = experiment.Settings.Seed;

    public override IReadOnlyList<string> DependsOn => _refit.Runs.Any(r => r.Pretrained)
        ? [StageIds.Choose(_refit.Matrix), StageIds.Preprocess, StageIds.Weights] : [StageIds.Choose(_refit.Matrix), StageIds.Preprocess];

    /// <summary>What it trains is in the choice (an input); the parameters say only what it is, and its seed.</summary>
    public override SortedDictionary<string, string> Parameters => new(StringComparer.Ordinal)
    {
        ["refit"] = _refit.Matrix,
        ["seed"] = CanonicalParams.Of(_seed),
    };

    public override bool UsesInput(string dependency, string output) =>
        dependency == StageIds.Choose(_refit.Matrix) ? output == RefitChoice.FileName : base.UsesInput(dependency, output);

    /// <summary>The epochs are the choice's, unknown until it is made.</summary>
    protected override string OfPlanned => "";

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var choice = RefitChoice.Read(c.Input(StageIds.Choose(_refit.Matrix), RefitChoice.FileName).Path);
        var chosen = _refit.Runs.FirstOrDefault(r => r.ExperimentId == choice.Experiment)
            ?? throw new InvalidDataException($"{Id}: the choice names {choice.Experiment}, which is not a run of {_refit.Matrix} in the current pipeline.yaml; rerun {StageIds.Choose(_refit.Matrix)}");
        var settings = RefitChoice.Refit(chosen.Settings, choice.Epochs);
        if (!RefitChoice.Keyed(CanonicalParams.Training(settings, chosen.Pretrained)).SequenceEqual(choice.Settings))
            throw new InvalidDataException($"{Id}: the choice's settings are not {choice.Experiment}'s in the current pipeline.yaml; rerun {StageIds.Choose(_refit.Matrix)}");
        c.Ui.Info($"{Id}: {choice.Experiment} ({choice.Label}), chosen on the validation images, trains again on all of trainval for {choice.Epochs} epoch(s)");
        settings = settings with { Seed = _seed };
        var outputs = new Dictionary<string, StageOutput>(Train(c, new ExperimentConfig(chosen.Id, chosen.Title, settings, chosen.Pretrained))); // nothing held out, no early stopping
        // The result says what it trained: the lock's resolved parameters and anyone holding the entry read it there.
        var copy = Path.Combine(c.OutputDir, RefitChoice.FileName);
        File.Copy(c.Input(StageIds.Choose(_refit.Matrix), RefitChoice.FileName).Path, copy, overwrite: true);
        outputs[RefitChoice.FileName] = c.Output(copy);
        return outputs;
    }

    /// <summary>The chosen row and the settings it trained, for <c>exp show</c> and <c>params diff</c>.</summary>
    public override SortedDictionary<string, string>? Resolved(StoreEntry entry)
    {
        if (!entry.Outputs.ContainsKey(RefitChoice.FileName)) return null;
        var choice = RefitChoice.Read(entry.OutputPath(RefitChoice.FileName));
        return new(choice.Settings, StringComparer.Ordinal) { ["chosen"] = $"{choice.Experiment} ({choice.Label})" };
    }
}
