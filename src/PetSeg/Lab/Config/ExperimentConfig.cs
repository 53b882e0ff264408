using PetSeg.Inference;
using PetSeg.Training;
using PetSeg.Workflow.Cluster;

namespace PetSeg.Lab.Config;

/// <summary>One experiment of the lab: an id (used in stage names), and its fully resolved training settings.</summary>
/// <param name="Pretrained">Whether the encoder starts from the ImageNet weights of the weights stage.</param>
public sealed record ExperimentConfig(string Id, string Title, TrainSettings Settings, bool Pretrained)
{
    /// <summary>Slurm resources for this experiment's train and evaluate jobs (<c>cluster:</c> under the experiment).</summary>
    public ClusterResources Cluster { get; init; } = new();

    /// <summary>The experiment as declared (report rows name it); with several seeds each run's Id is <c>&lt;group&gt;-seed&lt;n&gt;</c>.</summary>
    public string Group { get; init; } = "";

    /// <summary>fp32 (the lab) or bf16: the evaluation runs a bfloat16 copy of the trained weights (faster; metrics may differ slightly).</summary>
    public Precision EvalPrecision { get; init; } = Precision.Fp32;

    /// <summary>What its evaluation averages over (<c>tta:</c>): nothing (the lab), or each image and its mirror.</summary>
    public TestTimeAugmentation Tta { get; init; }

    /// <summary>
    /// Whether its evaluation also scores each test mask at its image's own size (<c>native_metrics: true</c>): the
    /// prediction brought back as <c>predict</c> writes it, against the dataset's mask as it is, not the resized one.
    /// </summary>
    public bool NativeMetrics { get; init; }

    /// <summary>
    /// With tiles: the overlap of the sliding windows its evaluation scores each test image with at its own size, as
    /// <c>predict --overlap</c> segments it (<c>overlap: 0.5</c>; implies <see cref="NativeMetrics"/>); 0 for the grid of tiles.
    /// </summary>
    public double Overlap { get; init; }

    /// <summary>Whether the experiment's seeds are also evaluated as one model, the mean of their class probabilities (<c>ensemble: true</c>).</summary>
    public bool Ensemble { get; init; }

    /// <summary>This experiment's device (<c>device:</c> under it), or null for <c>compute.device</c>. Not part of any key.</summary>
    public string? Device { get; init; }

    /// <summary>The matrix combination this experiment is, or null for an experiment declared on its own.</summary>
    public MatrixCell? Matrix { get; init; }

    /// <summary>
    /// The fraction of the trainval split held out from training to validate on (<see cref="PetSeg.Data.Splits.ValidationSplit"/>);
    /// 0, the lab's way, trains on all of it.
    /// </summary>
    public double Validation { get; init; }

    /// <summary>
    /// K-fold cross-validation (<c>folds: K</c>): the experiment trains once per fold, each run holding out its
    /// <see cref="Fold"/> of trainval (<see cref="PetSeg.Data.Splits.CrossValidationFolds"/>); 0, the lab's way, for none.
    /// </summary>
    public int Folds { get; init; }

    /// <summary>With <see cref="Folds"/>: the fold this run holds out, 1 … <see cref="Folds"/>.</summary>
    public int Fold { get; init; }

    /// <summary>Whether this run holds images of trainval out to validate on: a fraction (<c>validation:</c>) or a fold (<c>folds:</c>).</summary>
    public bool HoldsOut => Validation > 0 || Folds > 0;

    /// <summary>Trainval's samples this run trains on and validates on (all and none when it holds nothing out).</summary>
    public (PetSeg.Data.Cache.ISampleSet Train, PetSeg.Data.Cache.ISampleSet? Validation) HoldOut(PetSeg.Data.Cache.ISampleSet trainval) =>
        Folds > 0 ? PetSeg.Data.Splits.CrossValidationFolds.Apply(trainval, Folds, Fold, ValidationByGroup)
        : Validation > 0 ? PetSeg.Data.Splits.ValidationSplit.Apply(trainval, Validation, ValidationByGroup)
        : (trainval, null);

    /// <summary>Whether <see cref="Validation"/> or <see cref="Folds"/> holds out whole groups, as the dataset's test split does (<c>split_by: group</c>).</summary>
    public bool ValidationByGroup { get; init; }

    /// <summary>Publish the weights of the epoch with the best validation mean IoU rather than the last (<c>keep: best</c>).</summary>
    public bool KeepBest { get; init; }

    /// <summary>Stop training once this many epochs have not improved the validation mean IoU (<c>patience:</c>), or null.</summary>
    public int? Patience { get; init; }

    /// <summary>With <see cref="Patience"/>: the epochs trained before it may stop a run (<c>min_epochs:</c>), 0 for none.</summary>
    public int MinEpochs { get; init; }

    /// <summary>For a matrix's refit (<c>&lt;matrix&gt;-refit</c>), the matrix it refits; null for every other experiment.</summary>
    /// <remarks>A refit's <see cref="Settings"/> are its matrix's first run's until the choose stage has chosen: only its batch size (evaluation) and seed are read.</remarks>
    public MatrixRefit? Refit { get; init; }

    /// <summary>The declared experiment id, whether or not this run is one of several seeds.</summary>
    public string ExperimentId => Group.Length > 0 ? Group : Id;
}

