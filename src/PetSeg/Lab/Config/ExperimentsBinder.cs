using PetSeg.Core;
using PetSeg.Data.Download;
using PetSeg.Data.Imaging;
using PetSeg.Data.Splits;
using PetSeg.Inference;
using PetSeg.Models;
using PetSeg.Models.Encoders;
using PetSeg.Reporting;
using PetSeg.Training;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Losses;
using PetSeg.Training.Optim;

namespace PetSeg.Lab.Config;

/// <summary>
/// Binds the <c>weights</c>, <c>training</c>, <c>experiments</c> and <c>report</c> sections. Every experiment inherits
/// the <c>training</c> defaults, so a small experiment is three lines (<c>id: { model: simple-unet, lr: 1e-3 }</c>).
/// </summary>
internal static class ExperimentsBinder
{
    /// <summary>The ImageNet encoder files smp uses, from the encoder registry (pipeline.yaml may override URLs and pins).</summary>
    public static readonly IReadOnlyDictionary<string, RemoteFile> DefaultWeights = EncoderRegistry.All.ToDictionary(e => e.Name, e =>
        new RemoteFile(e.ImageNet.FileName, e.ImageNet.Urls, new Checksum(e.ImageNet.Md5, e.ImageNet.Sha256, e.ImageNet.Size, e.ImageNet.Sha256Prefix)));

    public static WeightsConfig BindWeights(YamlSection w, string baseDir)
    {
        var source = w.Choice("source", WeightsConfig.ImageNet, WeightsConfig.ImageNet, WeightsConfig.Synthetic, WeightsConfig.Pretrain);
        var files = new Dictionary<string, RemoteFile>(DefaultWeights);
        var fs = w.Section("files");
        foreach (var name in fs.Keys())
        {
            if (!DefaultWeights.TryGetValue(name, out var defaults)) throw fs.Error(name, $"unknown encoder; expected one of {string.Join(", ", DefaultWeights.Keys)}");
            files[name] = RemoteFileSection.Bind(fs.Section(name), defaults.FileName, defaults);
        }
        var p = w.Section("pretrain");
        var pd = new PretrainConfig();
        var pretrain = new PretrainConfig(p.Int("count", pd.Count, 2, 1_000_000), p.Int("seed", pd.Seed, 0),
            p.Int("epochs", pd.Epochs, 1, 10_000), p.Double("lr", pd.Lr, 0, 10), p.Int("batch_size", pd.BatchSize, 1, 65_536));
        p.RejectUnknown();
        var local = w.Folders("local", baseDir).Append(TorchHubCache.Checkpoints(Environment.GetEnvironmentVariable)).Distinct().ToList();
        w.RejectUnknown();
        return new WeightsConfig(source, files) { Pretraining = pretrain, LocalFolders = local };
    }

    private sealed record Defaults(string Optimizer, double Lr, double WeightDecay, int Epochs, int BatchSize, bool Augment, long Seed, bool Pretrained, int? MaxEpochs, int? MaxTrainSamples, string Precision, string EvalPrecision, double Validation, string Keep, int? Patience, int? MinEpochs, string LrSchedule, double MinLr, int Warmup, double? GradClip, string Tta, double? Ema, string Loss, ClassWeights? ClassWeights, bool NativeMetrics, bool Ensemble, int Folds, double Overlap);

    /// <param name="classes">How many classes the dataset has: every model's head outputs as many (the lab's: 2).</param>
    public static IReadOnlyList<ExperimentConfig> BindExperiments(YamlSection training, YamlSection experiments, int imageSize, int classes, double? tileScale = null)
    {
        var d = new Defaults(
            training.Choice("optimizer", "adam", "adam", "adamw"),
            training.Double("lr", 1e-4, 0, 10),
            training.Double("weight_decay", 0, 0, 10),
            training.Int("epochs", 5, 0, 100_000),
            training.Int("batch_size", 16, 1, 65_536),
            training.Bool("augment", false),
            training.Long("seed") ?? 42,
            training.Bool("pretrained", true),
            training.OptionalInt("max_epochs", 0, 100_000),
            training.OptionalInt("max_train_samples", 1, int.MaxValue),
            training.Choice("precision", "fp32", "fp32", "bf16"),
            training.Choice("eval_precision", "fp32", "fp32", "bf16"),
            training.Double("validation", 0, 0, ValidationSplit.MaxFraction),
            training.Choice("keep", "last", "last", "best"),
            training.OptionalInt("patience", 1, 100_000),
            training.OptionalInt("min_epochs", 1, 100_000),
            training.Choice("lr_schedule", "constant", "constant", LrSchedule.Cosine),
            training.Double("min_lr", 0, 0, 10),
            training.Int("warmup_epochs", 0, 0, 100_000),
            training.OptionalDouble("grad_clip", 1e-12, 1e12),
            training.Choice("tta", TestTimeAugmentations.NoneName, TestTimeAugmentations.Names),
            EmaDecay(training, null),
            training.Choice("loss", SegmentationLoss.CrossEntropy.Name, SegmentationLoss.Names),
            Weights(training, null, classes),
            training.Bool("native_metrics", false),
            training.Bool("ensemble", false),
            Folds(training, 0),
            training.Double("overlap", 0, 0, SlidingWindows.MaxOverlap));
        var defaultSeeds = Seeds(training) ?? [d.Seed];
        training.RejectUnknown();

        var result = new List<ExperimentConfig>();
        foreach (var id in experiments.Keys())
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[a-z0-9][a-z0-9_-]*$"))
                throw experiments.Error(id, "experiment ids are lower-case letters, digits, '-' and '_' (they become stage names such as Train-<id>)");
            var declared = experiments.Section(id);
            var matrix = declared.ListMapping("matrix");
            if (matrix.Count == 0)
            {
                result.AddRange(Bind(id, declared, sweep: null));
                continue;
            }
            var runs = ExperimentMatrix.Expand(id, declared, matrix).SelectMany(m => Bind(m.Id, m.Section, m.Cell)).ToList();
            result.AddRange(runs);
            if (declared.OptionalBool("refit") is true) result.AddRange(Refit(id, declared, runs));
        }
        if (result.GroupBy(e => e.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw experiments.Error(twice.First().Matrix?.Matrix ?? twice.First().ExperimentId, $"two runs are named '{twice.Key}' (a matrix numbers its runs <id>-1, <id>-2, …; seeds add -seed<n>, folds -fold<k>): rename one experiment");
        return result;

        IEnumerable<ExperimentConfig> Bind(string id, YamlSection e, MatrixCell? sweep)
        {
            if (sweep is null && e.Has("refit"))
                throw e.Error("refit", "a refit trains the row a matrix's validation images chose again on all of trainval, and this experiment has no matrix (to train on all of trainval, leave validation: at 0)");
            var model = e.Required("model", $"one of {string.Join(", ", ModelZoo.Architectures)}");
            if (!ModelZoo.Architectures.Contains(model)) throw e.Error("model", $"unknown model '{model}'{ClosestName.Suggestion(model, ModelZoo.Architectures)}; expected one of {string.Join(", ", ModelZoo.Architectures)}");
            var optimizer = e.Choice("optimizer", d.Optimizer, "adam", "adamw");
            double lr = e.OptionalDouble("lr", 0, 10) ?? d.Lr;
            double wd = e.OptionalDouble("weight_decay", 0, 10) ?? d.WeightDecay;
            int epochs = e.OptionalInt("epochs", 0, 100_000) ?? d.Epochs;
            if (d.MaxEpochs is { } cap) epochs = Math.Min(epochs, cap);
            bool augment = e.OptionalBool("augment") ?? d.Augment;
            bool pretrained = (e.OptionalBool("pretrained") ?? d.Pretrained) && ModelZoo.EncoderName(model) is not null;
            var title = sweep is null ? e.String("title", id)! : $"{sweep.Title} ({sweep.Label})";
            if (sweep is not null) e.String("title");
            // Every model records the size it is trained at (predict uses it); only simple-vit takes a `vit:` section.
            var spec = new ModelSpec(model, Classes: classes, ImageSize: imageSize) { TileScale = tileScale };
            if (model == ModelZoo.SimpleVit)
            {
                var vit = e.Section("vit");
                spec = spec with
                {
                    PatchSize = vit.Int("patch_size", 16, 1, 1024), Dim = vit.Int("dim", 128, 1, 65_536), Depth = vit.Int("depth", 3, 1, 1000),
                    Heads = vit.Int("heads", 4, 1, 1024), MlpRatio = vit.Double("mlp_ratio", 4, 0.01, 1000),
                };
                vit.RejectUnknown();
                if (imageSize % spec.PatchSize != 0 || spec.Dim % spec.Heads != 0)
                    throw e.Error("vit", $"image size {imageSize} must be divisible by patch_size {spec.PatchSize} and dim {spec.Dim} by heads {spec.Heads}");
            }
            else if (ModelZoo.SizeProblem(spec, imageSize) is { } problem)
                throw e.Error("model", $"{problem}; preprocess.image_size is {imageSize}");
            var settings = new TrainSettings(spec, new AdamSettings(lr, WeightDecay: wd, Decoupled: optimizer == "adamw"), epochs, d.BatchSize,
                augment ? AugmentationSettings.Lab : null, d.Seed, null, d.MaxTrainSamples,
                e.Choice("precision", d.Precision, "fp32", "bf16") == "bf16" ? Precision.Bf16 : Precision.Fp32);
            var schedule = e.Choice("lr_schedule", d.LrSchedule, "constant", LrSchedule.Cosine);
            var minLr = e.OptionalDouble("min_lr", 0, 10) ?? d.MinLr;
            if (schedule == "constant" && minLr != 0)
                throw (e.Has("min_lr") ? e : training).Error("min_lr", "min_lr is where a learning-rate schedule ends, and this experiment's rate is constant: set lr_schedule: cosine beside it");
            if (minLr > lr)
                throw (e.Has("min_lr") ? e : training).Error("min_lr", $"min_lr {minLr} is above the learning rate {lr} it anneals from");
            var warmup = e.OptionalInt("warmup_epochs", 0, 100_000) ?? d.Warmup;
            if (schedule == "constant" && warmup != 0)
                throw (e.Has("warmup_epochs") ? e : training).Error("warmup_epochs", "warmup_epochs ramps the rate up to where a learning-rate schedule starts, and this experiment's rate is constant: set lr_schedule: cosine beside it");
            settings = settings with
            {
                Schedule = schedule == "constant" ? null : new LrSchedule(schedule, minLr, warmup),
                GradClip = e.OptionalDouble("grad_clip", 1e-12, 1e12) ?? d.GradClip,
                Ema = EmaDecay(e, d.Ema),
                Loss = e.Choice("loss", d.Loss, SegmentationLoss.Names) is var loss && loss != SegmentationLoss.CrossEntropy.Name ? SegmentationLoss.Parse(loss) : null,
                ClassWeights = Weights(e, d.ClassWeights, classes),
            };
            if (settings.ClassWeights is not null && !settings.Objective.TakesClassWeights)
                throw (e.Has("class_weights") ? e : training).Error("class_weights",
                    $"class_weights weighs the cross-entropy, and this experiment's loss is {settings.Objective.Name}, which has none: use loss: ce or ce+dice, or leave class_weights out");
            var evalPrecision = e.Choice("eval_precision", d.EvalPrecision, "fp32", "bf16") == "bf16" ? Precision.Bf16 : Precision.Fp32;
            var tta = TestTimeAugmentations.Parse(e.Choice("tta", d.Tta, TestTimeAugmentations.Names));
            var overlap = e.OptionalDouble("overlap", 0, SlidingWindows.MaxOverlap) ?? d.Overlap;
            if (overlap > 0 && tileScale is null)
                throw (e.Has("overlap") ? e : training).Error("overlap", "overlap slides windows over the tiles a model trains on, and this dataset's images are resized whole: set preprocess.tiles: { scale: 0.5 }, or leave overlap out");
            // Windows are not the cache's tiles: their masks are scored where predict writes them, at each image's own size.
            var native = (e.OptionalBool("native_metrics") ?? d.NativeMetrics) || overlap > 0;
            var ensemble = e.OptionalBool("ensemble") ?? d.Ensemble;
            var cluster = ClusterSection.BindResources(e.Section("cluster"));
            var seeds = Seeds(e) ?? defaultSeeds;
            var folds = Folds(e, d.Folds);
            if (ensemble && seeds.Count < 2 && folds == 0)
                throw (e.Has("ensemble") ? e : training).Error("ensemble", "an ensemble is the mean of several models, and this experiment trains one: set seeds: [42, 43, 44] or folds: 5 beside it");
            var device = ComputeSection.DeviceSetting(e, "device");
            var validation = e.OptionalDouble("validation", 0, ValidationSplit.MaxFraction) ?? d.Validation;
            if (folds > 0 && validation > 0)
            {
                // Named where the later of the two is set: the experiment's own key, else the defaults'.
                var (at, key) = e.Has("folds") ? (e, "folds") : e.Has("validation") ? (e, "validation") : (training, "folds");
                throw at.Error(key, $"folds: {folds} holds out each of {folds} parts of trainval in turn, and validation: {validation.ToString(System.Globalization.CultureInfo.InvariantCulture)} one fixed part: set one of them " +
                                    "(validation: 0 under an experiment overrides the training default)");
            }
            var keepBest = e.Choice("keep", d.Keep, "last", "best") == "best";
            var patience = e.OptionalInt("patience", 1, 100_000) ?? d.Patience;
            var minEpochs = e.OptionalInt("min_epochs", 1, 100_000) ?? d.MinEpochs;
            if (validation == 0 && folds == 0 && (keepBest || patience is not null))
            {
                var (key, what) = keepBest ? ("keep", "keep: best") : ("patience", "patience");
                // Named where it is set: under the experiment, or the training defaults it inherits.
                var at = e.Has(key) ? e : training;
                throw at.Error(key, $"{what} chooses epochs by the validation mean IoU, and this experiment holds no images out: set validation: 0.1 (a fraction of trainval) or folds: 5 beside it");
            }
            if (minEpochs is not null && patience is null)
                throw (e.Has("min_epochs") ? e : training).Error("min_epochs", "min_epochs delays early stopping, and this experiment does not stop early: set patience: 5 (epochs without improvement) beside it");
            e.RejectUnknown();
            // One run per seed and fold: each is its own train/evaluate stage (keys differ by seed and fold only), grouped under the id.
            var foldNumbers = folds == 0 ? [0] : Enumerable.Range(1, folds).ToArray();
            return seeds.SelectMany(seed => foldNumbers.Select(fold => new ExperimentConfig(
                    $"{id}{(seeds.Count == 1 ? "" : $"-seed{seed}")}{(fold == 0 ? "" : $"-fold{fold}")}", title, settings with { Seed = seed }, pretrained)
                { Cluster = cluster, Group = id, EvalPrecision = evalPrecision, Tta = tta, NativeMetrics = native, Overlap = overlap, Ensemble = ensemble, Device = device, Matrix = sweep, Validation = validation,
                  Folds = folds, Fold = fold, KeepBest = keepBest, Patience = patience, MinEpochs = minEpochs ?? 0 })).ToList();
        }
    }

    /// <summary>
    /// A matrix's <c>refit: true</c>: the experiment <c>&lt;matrix&gt;-refit</c>, trained (by the refit stage) with the settings its
    /// runs' validation images choose, once per seed of the matrix like its rows. It needs those images: every run must hold some out.
    /// </summary>
    private static IEnumerable<ExperimentConfig> Refit(string matrix, YamlSection declared, List<ExperimentConfig> runs)
    {
        if (runs.Any(r => !r.HoldsOut))
            throw declared.Error("refit", "a refit trains the row the validation images choose, and this matrix holds no images out: set validation: 0.1 (a fraction of trainval) or folds: 5 beside it");
        // The refit is evaluated one way: how the rows are scored must not be what the matrix varies.
        foreach (var (key, differs) in new (string, bool)[] { ("tta", runs.Select(r => r.Tta).Distinct().Count() > 1), ("eval_precision", runs.Select(r => r.EvalPrecision).Distinct().Count() > 1), ("overlap", runs.Select(r => r.Overlap).Distinct().Count() > 1) })
            if (differs)
                throw declared.Error("refit", $"{key} varies across this matrix's rows, and its refit is evaluated one way: set {key}: beside the matrix, not in it");
        var first = runs[0];
        var id = MatrixRefit.IdOf(matrix);
        var seeds = runs.Where(r => r.ExperimentId == first.ExperimentId).Select(r => r.Settings.Seed).Distinct().ToList(); // a seed's folds refit once
        var refit = new MatrixRefit(matrix, runs);
        return seeds.Select(seed => new ExperimentConfig(seeds.Count == 1 ? id : $"{id}-seed{seed}", $"{first.Matrix!.Title} (refit)", first.Settings with { Seed = seed }, Pretrained: false)
        {
            Cluster = first.Cluster, Group = id, EvalPrecision = first.EvalPrecision, Tta = first.Tta, NativeMetrics = first.NativeMetrics, Overlap = first.Overlap, Device = first.Device, Refit = refit,
        });
    }

    /// <summary>
    /// The lab's questions, for the experiments that exist: does augmentation, tuning or both help each pretrained model
    /// (variant − base), and how far are the from-scratch models behind the pretrained ones.
    /// </summary>
    private static List<ReportComparison> LabComparisons(HashSet<string> ids)
    {
        var result = new List<ReportComparison>();
        foreach (var (model, name) in new[] { ("unet", "Unet"), ("segformer", "Segformer") })
            foreach (var (variant, label) in new[] { ("aug", "aug"), ("hp", "HP"), ("improved", "improved") })
                result.Add(new ReportComparison($"{name}: {label} − base", $"{model}-{variant}", $"{model}-base"));
        result.Add(new ReportComparison("Simple UNet − Unet (base)", "simple-unet-base", "unet-base"));
        result.Add(new ReportComparison("Simple ViT − Segformer (base)", "simple-vit-base", "segformer-base"));
        result.Add(new ReportComparison("Simple UNet − Unet (improved)", "simple-unet-improved", "unet-improved"));
        result.Add(new ReportComparison("Simple ViT − Segformer (improved)", "simple-vit-improved", "segformer-improved"));
        return result.Where(c => ids.Contains(c.A) && ids.Contains(c.B)).ToList();
    }

    /// <summary>
    /// <c>ema: 0.999</c>: the decay of the weights' moving average, strictly between 0 and 1; <c>ema: none</c> (so a
    /// matrix can list it beside decays) publishes the trained weights; <paramref name="inherited"/> when absent.
    /// </summary>
    /// <summary><c>class_weights: none | balanced | [w0, w1, …]</c> (one per class); <paramref name="fallback"/> when absent.</summary>
    private static ClassWeights? Weights(YamlSection s, ClassWeights? fallback, int classes)
    {
        if (!s.Has("class_weights")) { s.String("class_weights"); return fallback; } // declares the key
        var values = s.StringList("class_weights");
        if (values is ["none"]) return null;
        if (values is [ClassWeights.BalancedName]) return ClassWeights.Balanced;
        var numbers = values.Select(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) && x >= 0 && double.IsFinite(x) ? x
            : throw s.Error("class_weights", $"'{v}' is not a weight: none, balanced, or one non-negative number per class, such as [1, 2, 4]")).ToList();
        if (numbers.Count != classes) throw s.Error("class_weights", $"{numbers.Count} weight(s) for {classes} classes: give one per class, in the order of their labels");
        if (numbers.All(x => x == 0)) throw s.Error("class_weights", "every weight is 0: nothing would be learnt");
        return ClassWeights.Of(numbers);
    }

    private static double? EmaDecay(YamlSection s, double? inherited)
    {
        if (!s.Has("ema")) return inherited;
        if (s.String("ema") == "none") return null;
        var decay = s.OptionalDouble("ema")!.Value;
        if (!(decay > 0 && decay < 1))
            throw s.Error("ema", $"ema is the decay of the weights' moving average, between 0 and 1 (0.999 is typical; none, the lab's, publishes the trained weights themselves), not {decay.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return decay;
    }

    /// <summary><c>folds: 5</c>: K-fold cross-validation, 2 to <see cref="CrossValidationFolds.MaxFolds"/> folds (0: none); <paramref name="inherited"/> when absent.</summary>
    private static int Folds(YamlSection s, int inherited)
    {
        if (!s.Has("folds")) { s.OptionalInt("folds", 0, CrossValidationFolds.MaxFolds); return inherited; } // declares the key
        int folds = s.OptionalInt("folds", 0, CrossValidationFolds.MaxFolds)!.Value;
        if (folds == 1) throw s.Error("folds", "one fold would hold out all of trainval and train on nothing: use 2 or more (5 is usual), or 0 for none");
        return folds;
    }

    /// <summary><c>seeds: [42, 43, 44]</c>: distinct integers, at least one; null when the key is absent.</summary>
    private static List<long>? Seeds(YamlSection s)
    {
        var raw = s.StringList("seeds");
        if (raw.Count == 0) return null;
        var seeds = raw.Select(v => long.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x
            : throw s.Error("seeds", $"'{v}' is not an integer seed")).ToList();
        if (seeds.Distinct().Count() != seeds.Count) throw s.Error("seeds", "a seed is listed twice");
        return seeds;
    }

    public static ReportConfig BindReport(YamlSection r, IReadOnlyList<ExperimentConfig> experiments)
    {
        var ids = experiments.Select(e => e.ExperimentId).ToHashSet(StringComparer.Ordinal);
        var tables = r.SectionList("tables").Select(t =>
        {
            var title = t.Required("title", "the table's heading");
            var rows = t.SectionList("rows").Select(row =>
            {
                var label = row.Required("label", "the model name as printed, e.g. \"Unet (base)\"");
                var exp = row.Required("experiment", "an experiment id");
                if (!ids.Contains(exp)) throw row.Error("experiment", $"no experiment '{exp}' is declared under 'experiments:'{ClosestName.Suggestion(exp, ids)}");
                row.RejectUnknown();
                return new ReportRow(label, exp);
            }).ToList();
            t.RejectUnknown();
            return new ReportTable(title, rows);
        }).ToList();
        // Each matrix gets a table of its own, one row per combination, after the declared ones.
        var refits = experiments.Where(e => e.Refit is not null).DistinctBy(e => e.ExperimentId).ToDictionary(e => e.Refit!.Matrix, e => e.ExperimentId);
        tables.AddRange(experiments.Where(e => e.Matrix is not null).GroupBy(e => e.Matrix!.Matrix).Select(m =>
            ExperimentMatrix.Table($"{m.First().Matrix!.Title}: matrix", m) with { Refit = refits.GetValueOrDefault(m.Key) }));
        var comparisons = r.SectionList("comparisons").Select(c =>
        {
            var label = c.Required("label", "how the difference is printed, e.g. \"Unet: aug − base\"");
            var a = c.Required("a", "an experiment id");
            var b = c.Required("b", "an experiment id");
            if (!ids.Contains(a)) throw c.Error("a", $"no experiment '{a}' is declared under 'experiments:'{ClosestName.Suggestion(a, ids)}");
            if (!ids.Contains(b)) throw c.Error("b", $"no experiment '{b}' is declared under 'experiments:'{ClosestName.Suggestion(b, ids)}");
            c.RejectUnknown();
            return new ReportComparison(label, a, b);
        }).ToList();
        var config = new ReportConfig(r.String("title", "PetSeg report")!, tables, r.Int("sample_predictions", 4, 0, 64))
        {
            Comparisons = comparisons.Count > 0 ? comparisons : LabComparisons(ids),
        };
        r.RejectUnknown();
        return config;
    }
}
