using System.Globalization;
using PetSeg.Training;

namespace PetSeg.Lab.Stages;

/// <summary>Stage parameters as canonical strings: invariant culture, round-trip doubles, so equal values give equal keys.</summary>
internal static class CanonicalParams
{
    public static string Of(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    public static string Of(long v) => v.ToString(CultureInfo.InvariantCulture);
    public static string Of(bool v) => v ? "true" : "false";

    public static SortedDictionary<string, string> Training(TrainSettings s, bool pretrained, double validation = 0, bool keepBest = false, int? patience = null, int minEpochs = 0, int folds = 0, int fold = 0)
    {
        var m = s.Model;
        var p = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = m.Architecture,
            ["classes"] = Of(m.Classes),
            ["optimizer"] = s.Optimizer.Name,
            ["lr"] = Of(s.Optimizer.LearningRate),
            ["betas"] = $"{Of(s.Optimizer.Beta1)},{Of(s.Optimizer.Beta2)}",
            ["eps"] = Of(s.Optimizer.Eps),
            ["weight_decay"] = Of(s.Optimizer.WeightDecay),
            ["epochs"] = Of(s.Epochs),
            ["batch_size"] = Of(s.BatchSize),
            ["augment"] = s.Augmentation is null ? "none" : System.Text.Json.JsonSerializer.Serialize(s.Augmentation),
            ["seed"] = Of(s.Seed),
            ["pretrained"] = Of(pretrained),
            ["max_train_samples"] = s.MaxTrainSamples is { } n ? Of(n) : "all",
        };
        if (s.Schedule is { } schedule) p["lr_schedule"] = $"{schedule.Name},min_lr={Of(schedule.MinLr)}{(schedule.Warmup > 0 ? $",warmup={Of(schedule.Warmup)}" : "")}{(schedule.Over is { } over ? $",over={Of(over)}" : "")}"; // absent = constant, so existing keys stay valid
        if (s.GradClip is { } clip) p["grad_clip"] = Of(clip); // absent = not clipped, likewise
        if (s.Ema is { } decay) p["ema"] = Of(decay); // absent = the trained weights are published, likewise
        if (s.Loss is { } loss) p["loss"] = loss.Name; // absent = the lab's cross-entropy, likewise
        if (s.ClassWeights is { } weights) p["class_weights"] = weights.Name; // absent = unweighted, likewise
        if (m.TileScale is { } tiles) p["tiles"] = $"scale={Of(tiles)}"; // absent = whole images, likewise
        if (s.Precision != Precision.Fp32) p["precision"] = s.Precision.ToString().ToLowerInvariant(); // absent = fp32, so existing keys stay valid
        if (validation > 0) p["validation"] = Of(validation); // absent = trains on all of trainval, so existing keys stay valid
        if (folds > 0) (p["folds"], p["fold"]) = (Of(folds), Of(fold)); // likewise: absent = no cross-validation
        if (keepBest) p["keep"] = "best"; // likewise: absent = the last epoch's weights
        if (patience is { } epochs) p["patience"] = Of(epochs); // likewise: absent = every epoch
        if (minEpochs > 0) p["min_epochs"] = Of(minEpochs); // likewise: absent = patience from the first epoch
        // A MiT trained from scratch starts from a truncated normal since 2026-12-06 (TorchSharp's trunc_normal_ had set every Linear weight to 0.02).
        if (!pretrained && Models.ModelZoo.EncoderName(m.Architecture) is { } encoder && Models.Encoders.EncoderRegistry.IsMit(encoder)) p["init"] = "mit-2";
        if (m.Architecture == Models.ModelZoo.SimpleVit)
            p["vit"] = $"image={m.ImageSize},patch={m.PatchSize},dim={m.Dim},depth={m.Depth},heads={m.Heads},mlp={Of(m.MlpRatio)}";
        return p;
    }
}
