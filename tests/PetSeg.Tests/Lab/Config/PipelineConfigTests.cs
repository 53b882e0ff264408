using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Lab.Config;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Lab.Config;

public sealed class PipelineConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    private PipelineConfig LoadText(string yaml, string? profile = null)
    {
        var path = _dir["pipeline.yaml"];
        File.WriteAllText(path, yaml);
        return PipelineConfigLoader.Load(path, profile);
    }

    [Fact]
    public void The_repository_pipeline_yaml_is_the_real_lab_and_its_smoke_profile_is_synthetic()
    {
        var file = RepoFiles.Path("pipeline.yaml");
        var lab = PipelineConfigLoader.Load(file);
        Assert.Equal("oxford", lab.Dataset.Source);
        Assert.Equal(224, lab.Preprocess.ImageSize);
        Assert.Equal("5c4f3ee8e5d25df40f4fd59a7f44e54c", lab.Dataset.Images.Checksum.Md5);
        Assert.Equal(791_918_971, lab.Dataset.Images.Checksum.Size);
        var smoke = PipelineConfigLoader.Load(file, "smoke");
        Assert.Equal("synthetic", smoke.Dataset.Source);
        Assert.Equal(32, smoke.Preprocess.ImageSize);
        Assert.Equal(64, smoke.Dataset.Synthetic.Count);
        Assert.Equal(lab.Dataset.Images.Checksum, smoke.Dataset.Images.Checksum); // overlays merge, they do not wipe siblings
        Assert.Equal(lab.Dataset.Images.Urls, smoke.Dataset.Images.Urls);
    }

    [Fact]
    public void A_project_folder_stands_for_its_file_and_what_cannot_be_a_project_says_why()
    {
        File.WriteAllText(_dir["pipeline.yaml"], "artifacts: out\n");
        Assert.Equal(_dir["pipeline.yaml"], PipelineConfigLoader.Load(_dir.Path).File); // --config <folder>
        Directory.CreateDirectory(_dir["empty"]);
        var e = Assert.Throws<ConfigException>(() => PipelineConfigLoader.Load(_dir["empty"]));
        Assert.Equal($"{_dir["empty"]}: a folder without a pipeline.yaml. Pass the file itself, or start a project there with `petseg init {_dir["empty"]}`.", e.Message);
        // No profiles at all: not "Defined: " and nothing.
        e = Assert.Throws<ConfigException>(() => LoadText("artifacts: out\n", "smoke"));
        Assert.EndsWith("profile 'smoke' is not defined under 'profiles:'. This file defines none: `petseg init` writes the demo and smoke profiles into a new project's file.", e.Message);
        // The outputs' folder is a file: said at the key, not as "Could not find a part of the path '…/store'" when a stage starts.
        File.WriteAllText(_dir["out"], "a file");
        e = Assert.Throws<ConfigException>(() => LoadText("dataset: { source: synthetic }\nartifacts: out\n"));
        Assert.Equal($"{_dir["pipeline.yaml"]}:2:12: artifacts: 'out' is a file ({_dir["out"]}), not a folder: name a folder for the outputs", e.Message);
    }

    [Fact]
    public void An_empty_file_gives_the_defaults()
    {
        var c = LoadText("artifacts: out\n");
        Assert.Equal("oxford", c.Dataset.Source);
        Assert.Equal(2, c.Dataset.Images.Urls.Count);
        Assert.Equal("95a8c909bbe2e81eed6a22bccdf3f68f", c.Dataset.Annotations.Checksum.Md5);
        Assert.Equal(Path.Combine(_dir.Path, "out"), c.ArtifactsDir);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n")]
    public void A_file_that_says_nothing_points_at_init(string yaml)
    {
        // It said "expected a mapping at the top level" of a file just touched.
        var e = Assert.Throws<ConfigException>(() => LoadText(yaml));
        Assert.EndsWith("pipeline.yaml: says nothing (empty, or comments only). `petseg init` writes the lab's pipeline (move this file away first); docs/configuration.md lists every section.", e.Message);
        Assert.Contains("1:1: expected a mapping at the top level", Assert.Throws<ConfigException>(() => LoadText("- a list\n")).Message);
    }

    [Fact]
    public void An_unknown_key_is_named_with_line_column_and_the_allowed_keys()
    {
        var e = Assert.Throws<ConfigException>(() => LoadText("dataset:\n  source: oxford\npreprocess:\n  imge_size: 128\n"));
        Assert.Contains("pipeline.yaml:4:3: unknown key 'imge_size' in 'preprocess' (did you mean 'image_size'?)", e.Message);
        Assert.Contains("skip_bad_samples", e.Message);
    }

    [Fact]
    public void A_misspelt_section_is_named_before_what_its_absence_would_break()
    {
        // The report's tables name experiments: with 'experimets:' they used to fail on "no experiment 'unet-base'".
        var yaml = File.ReadAllText(RepoFiles.Path("pipeline.yaml")).Replace("\nexperiments:", "\nexperimets:");
        var e = Assert.Throws<ConfigException>(() => LoadText(yaml));
        Assert.Contains("unknown key 'experimets' in the top level (did you mean 'experiments'?)", e.Message);
        e = Assert.Throws<ConfigException>(() => LoadText("dataset:\n  source: oxford\nzzz: 1\n"));
        Assert.DoesNotContain("did you mean", e.Message); // nothing close: no guess
        e = Assert.Throws<ConfigException>(() => LoadText(File.ReadAllText(RepoFiles.Path("pipeline.yaml")), profile: "smok"));
        Assert.Contains("profile 'smok' is not defined under 'profiles:' (did you mean 'smoke'?)", e.Message);
        e = Assert.Throws<ConfigException>(() => LoadText(File.ReadAllText(RepoFiles.Path("pipeline.yaml")).Replace("experiment: unet-base", "experiment: unet-bsae")));
        Assert.Contains("no experiment 'unet-bsae' is declared under 'experiments:' (did you mean 'unet-base'?)", e.Message);
    }

    [Fact]
    public void A_wrong_type_or_value_is_reported_with_its_position()
    {
        var e = Assert.Throws<ConfigException>(() => LoadText("preprocess:\n  image_size: big\n"));
        Assert.Contains("pipeline.yaml:2:15: preprocess.image_size: expected an integer, found 'big'", e.Message);
        e = Assert.Throws<ConfigException>(() => LoadText("dataset:\n  source: kaggle\n"));
        Assert.Contains("pipeline.yaml:2:11: dataset.source: expected one of oxford, synthetic", e.Message);
        e = Assert.Throws<ConfigException>(() => LoadText("dataset:\n  files:\n    images:\n      urls: [ftp://x/y]\n"));
        Assert.Contains("not an http(s) URL", e.Message);
    }

    [Fact]
    public void Syntax_errors_and_unknown_profiles_are_clear()
    {
        var e = Assert.Throws<ConfigException>(() => LoadText("dataset:\n  source: [oxford\n"));
        Assert.Contains("YAML syntax error", e.Message);
        e = Assert.Throws<ConfigException>(() => LoadText("profiles:\n  smoke: {}\n", "fast"));
        Assert.Contains("profile 'fast' is not defined", e.Message);
        Assert.Contains("smoke", e.Message);
    }

    [Fact]
    public void A_tab_used_for_indentation_is_reported_where_it_is()
    {
        var lines = File.ReadAllLines(RepoFiles.Path("pipeline.yaml"));
        var row = Array.FindIndex(lines, l => l.StartsWith("  simple-unet-base:", StringComparison.Ordinal));
        lines[row] = "\t" + lines[row][2..];
        var e = Assert.Throws<ConfigException>(() => LoadText(string.Join('\n', lines) + "\n"));
        Assert.Contains($"pipeline.yaml:{row + 1}:1: ", e.Message);
        Assert.Contains("tab", e.Message);
        Assert.DoesNotContain("pipeline.yaml:1:1:", e.Message);
    }

    [Fact]
    public void A_deeply_nested_document_is_refused_with_a_nesting_limit_not_a_stack_overflow()
    {
        var e = Assert.Throws<ConfigException>(() => LoadText("experiments: " + new string('[', 50_000) + "\n"));
        Assert.Contains("pipeline.yaml:1:", e.Message);
        Assert.Contains("nested deeper than", e.Message);
        // A normal depth still loads.
        Assert.Equal(224, LoadText("preprocess: { image_size: 224 }\n").Preprocess.ImageSize);
    }

    [Fact]
    public void The_labs_fourteen_experiments_carry_the_labs_hyperparameters()
    {
        var lab = PipelineConfigLoader.Load(RepoFiles.Path("pipeline.yaml")).Experiments.ToDictionary(e => e.Id);
        Assert.Equal(14, lab.Count);
        Assert.Equal(0, lab["unet-untrained"].Settings.Epochs);
        Assert.True(lab["unet-untrained"].Pretrained);
        Assert.Equal((1e-4, 5, false, "Adam"), (lab["unet-base"].Settings.Optimizer.LearningRate, lab["unet-base"].Settings.Epochs, lab["unet-base"].Settings.Augmentation is not null, lab["unet-base"].Settings.Optimizer.Name));
        Assert.True(lab["unet-aug"].Settings.Augmentation is not null);
        Assert.Equal((5e-5, 10, "AdamW", 0.01), (lab["segformer-hp"].Settings.Optimizer.LearningRate, lab["segformer-hp"].Settings.Epochs, lab["segformer-hp"].Settings.Optimizer.Name, lab["segformer-hp"].Settings.Optimizer.WeightDecay));
        Assert.Equal(("Adam", 0.0), (lab["unet-hp"].Settings.Optimizer.Name, lab["unet-hp"].Settings.Optimizer.WeightDecay));
        Assert.Equal((1e-3, 5, false), (lab["simple-unet-base"].Settings.Optimizer.LearningRate, lab["simple-unet-base"].Settings.Epochs, lab["simple-unet-base"].Pretrained));
        Assert.Equal(("AdamW", 5e-5, 10, true), (lab["simple-vit-improved"].Settings.Optimizer.Name, lab["simple-vit-improved"].Settings.Optimizer.LearningRate, lab["simple-vit-improved"].Settings.Epochs, lab["simple-vit-improved"].Settings.Augmentation is not null));
        Assert.Equal((224, 16, 128, 3, 4, 4.0), (lab["simple-vit-base"].Settings.Model.ImageSize, lab["simple-vit-base"].Settings.Model.PatchSize, lab["simple-vit-base"].Settings.Model.Dim,
            lab["simple-vit-base"].Settings.Model.Depth, lab["simple-vit-base"].Settings.Model.Heads, lab["simple-vit-base"].Settings.Model.MlpRatio));
        Assert.All(lab.Values, e => Assert.Equal(16, e.Settings.BatchSize));
    }

    [Fact]
    public void A_matrix_declares_one_experiment_per_combination_with_a_report_table_of_its_own()
    {
        var c = LoadText("""
            training: { lr: 0.0001, seeds: [1, 2] }
            experiments:
              base: { model: simple-unet }
              lr:
                model: simple-unet
                title: Simple UNet, tuning
                epochs: 3
                matrix: { lr: [0.001, 0.0003], augment: [false, true], optimizer: adamw }
            report: { tables: [ { title: Base, rows: [ { label: Base, experiment: base } ] } ] }
            """);
        var runs = c.Experiments.Where(e => e.Matrix is not null).ToList();
        Assert.Equal(["lr-1", "lr-2", "lr-3", "lr-4"], runs.Select(e => e.ExperimentId).Distinct());
        Assert.Equal(8, runs.Count); // each combination once per seed
        Assert.Equal(["lr-1-seed1", "lr-1-seed2"], runs.Take(2).Select(e => e.Id));
        var third = runs.First(e => e.ExperimentId == "lr-3");
        Assert.Equal((0.0003, false, 3, true), (third.Settings.Optimizer.LearningRate, third.Settings.Augmentation is not null, third.Settings.Epochs, third.Settings.Optimizer.Decoupled));
        Assert.Equal("Simple UNet, tuning (lr=0.0003, augment=false, optimizer=adamw)", third.Title);
        Assert.Equal(new MatrixCell("lr", "Simple UNet, tuning", "lr=0.0003, augment=false, optimizer=adamw"), third.Matrix);

        Assert.Equal(["Base", "Simple UNet, tuning: matrix"], c.Report.Tables.Select(t => t.Title));
        Assert.Equal([("lr=0.001, augment=false, optimizer=adamw", "lr-1"), ("lr=0.001, augment=true, optimizer=adamw", "lr-2"),
                      ("lr=0.0003, augment=false, optimizer=adamw", "lr-3"), ("lr=0.0003, augment=true, optimizer=adamw", "lr-4")],
            c.Report.Tables[1].Rows.Select(r => (r.Label, r.Experiment)));
        // export and predict --experiment name a run, not the matrix.
        var e = Assert.Throws<ConfigException>(() => TrainedExperiment.Find(c, LabPipeline.Runner(c, NullProgressSink.Instance), "lr"));
        Assert.Contains("'lr' is a matrix without validation images to choose on; name one of its runs: lr-1 (lr=0.001, augment=false, optimizer=adamw), lr-2 (", e.Message);
    }

    [Theory]
    [InlineData("  s: { model: simple-unet, matrix: { lr: [0.1, fast] } }\n", "pipeline.yaml:2:48: experiments.s[lr=fast].lr: expected a number, found 'fast'")]
    [InlineData("  s: { model: simple-unet, matrix: { learning_rate: [0.1] } }\n", "pipeline.yaml:2:38: unknown key 'learning_rate' in 'experiments.s[learning_rate=0.1]'")]
    [InlineData("  s: { model: simple-unet, matrix: { lr: [] } }\n", "experiments.s.matrix.lr: an empty list gives no runs")]
    [InlineData("  s: { model: simple-unet, matrix: { lr: [0.1, 0.1] } }\n", "experiments.s.matrix.lr: a value is listed twice")]
    [InlineData("  s: { model: simple-unet, matrix: { seeds: [1, 2] } }\n", "experiments.s.matrix: a matrix varies single settings")]
    [InlineData("  s: { model: simple-unet, matrix: [lr] }\n", "experiments.s.matrix: expected a mapping of lists")]
    [InlineData("  s: { matrix: { lr: [0.1] } }\n", "pipeline.yaml:2:6: experiments.s[lr=0.1].model: missing")]
    [InlineData("  s: { model: simple-unet, matrix: { lr: [0.1] } }\n  s-1: { model: simple-unet }\n", "two runs are named 's-1'")]
    public void Matrix_mistakes_are_reported_with_file_line_column(string experiments, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText("experiments:\n" + experiments)).Message);

    [Theory]
    [InlineData("experiments:\n  a: { lr: 0.1 }\n", "pipeline.yaml:2:6: experiments.a.model: missing; expected one of unet-resnet34")]
    [InlineData("experiments:\n  a: { model: resnet, lr: 0.1 }\n", "pipeline.yaml:2:15: experiments.a.model: unknown model 'resnet'")]
    [InlineData("experiments:\n  a: { model: unet-resnet43 }\n", "experiments.a.model: unknown model 'unet-resnet43' (did you mean 'unet-resnet34'?); expected one of")]
    [InlineData("experiments:\n  a: { model: simple-unet, lr: fast }\n", "pipeline.yaml:2:32: experiments.a.lr: expected a number, found 'fast'")]
    [InlineData("experiments:\n  a: { model: simple-unet, learning_rate: 0.1 }\n", "pipeline.yaml:2:28: unknown key 'learning_rate' in 'experiments.a'")]
    [InlineData("experiments:\n  A b: { model: simple-unet }\n", "experiments.A b: experiment ids are lower-case")]
    [InlineData("preprocess: { image_size: 66 }\nexperiments:\n  a: { model: simple-unet }\n", // its training failed in libtorch's loss: [16, 2, 64, 64] against [16, 66, 66]
        "pipeline.yaml:3:15: experiments.a.model: simple-unet needs an image size divisible by 4 (its two 2×2 poolings, undone by two ×2 transposed convolutions); preprocess.image_size is 66")]
    [InlineData("experiments:\n  a: { model: simple-unet }\nreport:\n  tables:\n    - title: T\n      rows: [{ label: X, experiment: b }]\n", "experiments.b' ... ")]
    public void Experiment_mistakes_are_reported_with_file_line_column(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => LoadText(yaml));
        if (expected.EndsWith(" ... ")) Assert.Contains("no experiment 'b' is declared under 'experiments:'", e.Message);
        else Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("ftp://host/store", "pipeline.yaml:2:24: remotes.lab.url: 'ftp://host/store' is not a remote URL; the schemes with a backend are ")]
    [InlineData("shared/store", "remotes.lab.url: 'shared/store' is not a remote URL")]
    [InlineData("s3://", "pipeline.yaml:2:24: remotes.lab.url: 's3://' names no bucket: s3://bucket/prefix")] // it was a complaint about AWS credentials
    [InlineData("https:///cache", "remotes.lab.url: 'https:///cache' is not a remote URL")]
    [InlineData("https://me:secret@host/cache", "remotes.lab.url: holds a password, which would be committed with the file")]
    public void Remote_url_mistakes_are_reported_with_their_line(string url, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => LoadText($"remote: lab\nremotes: {{ lab: {{ url: '{url}' }} }}\n"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_three_line_experiment_inherits_the_training_defaults()
    {
        var c = LoadText("training: { lr: 0.0003, epochs: 7, seed: 9 }\nexperiments:\n  mine: { model: simple-unet }\n");
        var e = Assert.Single(c.Experiments);
        Assert.Equal((3e-4, 7, 9L, false), (e.Settings.Optimizer.LearningRate, e.Settings.Epochs, e.Settings.Seed, e.Pretrained));
    }

    [Fact]
    public void A_validation_hold_out_is_a_training_setting_that_keys_only_the_runs_that_use_it()
    {
        var c = LoadText("""
            training: { validation: 0.1 }
            experiments:
              held: { model: simple-unet }
              all: { model: simple-unet, validation: 0 }
              sweep: { model: simple-unet, matrix: { validation: [0.2, 0.3] } }
            """);
        Assert.Equal([0.1, 0, 0.2, 0.3], c.Experiments.Select(e => e.Validation));
        var stages = LabPipeline.Build(c);
        string? Param(string stage) => stages[stage].Parameters.GetValueOrDefault("validation");
        Assert.Equal(("0.1", "0.1", "0.3", "0.3"), (Param("train-held"), Param("evaluate-held"), Param("train-sweep-2"), Param("evaluate-sweep-2")));
        Assert.Null(Param("train-all")); // nothing held out: the parameters (and so the keys) are what they were before the setting existed
        Assert.Null(Param("evaluate-all"));
        var trainval = PetSeg.Lab.Stages.PreprocessStage.OutputName("trainval");
        Assert.True(stages["evaluate-held"].UsesInput(PetSeg.Lab.Stages.StageIds.Preprocess, trainval)); // it scores the held-out images
        Assert.False(stages["evaluate-all"].UsesInput(PetSeg.Lab.Stages.StageIds.Preprocess, trainval));
        Assert.True(c.Report.Tables.Single().Matrix);
        Assert.False(stages["train-held"].Parameters.ContainsKey("keep"));

        var best = LoadText("training: { validation: 0.2, keep: best, patience: 4 }\nexperiments:\n  a: { model: simple-unet }\n").Experiments.Single();
        Assert.Equal((true, 4), (best.KeepBest, best.Patience));
        var p = LabPipeline.Build(LoadText("training: { validation: 0.2, keep: best, patience: 4 }\nexperiments:\n  a: { model: simple-unet }\n"))["train-a"].Parameters;
        Assert.Equal(("best", "4"), (p["keep"], p["patience"]));
        Assert.False(p.ContainsKey("min_epochs"));
        var min = LabPipeline.Build(LoadText("training: { validation: 0.2, patience: 4, min_epochs: 10 }\nexperiments:\n  a: { model: simple-unet }\n  b: { model: simple-unet, min_epochs: 3 }\n"));
        Assert.Equal(("10", "3"), (min["train-a"].Parameters["min_epochs"], min["train-b"].Parameters["min_epochs"]));
    }

    [Fact]
    public void A_learning_rate_schedule_and_gradient_clipping_key_only_the_runs_that_use_them()
    {
        var stages = LabPipeline.Build(LoadText("""
            training: { lr: 0.001, epochs: 10 }
            experiments:
              flat: { model: simple-unet }
              cos: { model: simple-unet, lr_schedule: cosine }
              floor: { model: simple-unet, lr_schedule: cosine, min_lr: 0.00001 }
              warm: { model: simple-unet, lr_schedule: cosine, warmup_epochs: 2 }
            """));
        Assert.False(stages["train-flat"].Parameters.ContainsKey("lr_schedule")); // constant: the keys are what they were
        Assert.Equal(("cosine,min_lr=0", "cosine,min_lr=1E-05"), (stages["train-cos"].Parameters["lr_schedule"], stages["train-floor"].Parameters["lr_schedule"]));
        Assert.Equal("cosine,min_lr=0,warmup=2", stages["train-warm"].Parameters["lr_schedule"]);
        var clipped = LabPipeline.Build(LoadText("training: { grad_clip: 1.0 }\nexperiments:\n  a: { model: simple-unet }\n  b: { model: simple-unet, grad_clip: 0.5 }\n"));
        Assert.Equal(("1", "0.5"), (clipped["train-a"].Parameters["grad_clip"], clipped["train-b"].Parameters["grad_clip"]));
        Assert.False(stages["train-flat"].Parameters.ContainsKey("grad_clip")); // not clipped: absent, the keys as they were
    }

    [Fact]
    public void Test_time_augmentation_keys_only_the_evaluations_that_use_it_and_a_matrix_varying_it_shares_one_training()
    {
        var stages = LabPipeline.Build(LoadText("""
            training: { validation: 0.2 }
            experiments:
              plain: { model: simple-unet }
              flip: { model: simple-unet, tta: hflip }
              sweep: { model: simple-unet, matrix: { tta: [none, hflip] } }
            """));
        Assert.False(stages["evaluate-plain"].Parameters.ContainsKey("tta")); // none: the keys as they were
        Assert.Equal("hflip", stages["evaluate-flip"].Parameters["tta"]);
        Assert.Equal(stages["train-plain"].Parameters, stages["train-flip"].Parameters); // an evaluation setting: the training is the same
        Assert.Equal(stages["train-sweep-1"].Parameters, stages["train-sweep-2"].Parameters);
        Assert.Equal(["hflip"], new[] { "evaluate-sweep-1", "evaluate-sweep-2" }.Select(id => stages[id].Parameters.GetValueOrDefault("tta")).OfType<string>());
        Assert.Equal("the mean of each image's and its mirror's logits (tta: hflip) for flip, sweep-2", stages["report"].Parameters["evaluation"]);
        Assert.False(LabPipeline.Build(LoadText("experiments:\n  a: { model: simple-unet }\n"))["report"].Parameters.ContainsKey("evaluation")); // the lab's: absent

        var defaults = LoadText("training: { tta: hflip }\nexperiments:\n  a: { model: simple-unet }\n  b: { model: simple-unet, tta: none }\n").Experiments;
        Assert.Equal([PetSeg.Inference.TestTimeAugmentation.HorizontalFlip, PetSeg.Inference.TestTimeAugmentation.None], defaults.Select(e => e.Tta));
        var refit = LoadText("training: { validation: 0.2, tta: hflip }\nexperiments:\n  s: { model: simple-unet, refit: true, matrix: { lr: [0.01, 0.001] } }\n").Experiments;
        Assert.Equal(PetSeg.Inference.TestTimeAugmentation.HorizontalFlip, refit.Single(e => e.Refit is not null).Tta); // evaluated as its rows are
    }

    [Theory]
    [InlineData("experiments:\n  a: { model: simple-unet, tta: vflip }\n", "pipeline.yaml:2:33: experiments.a.tta: expected one of none, hflip, found 'vflip'")]
    [InlineData("training: { validation: 0.2 }\nexperiments:\n  s: { model: simple-unet, refit: true, matrix: { tta: [none, hflip] } }\n", "experiments.s.refit: tta varies across this matrix's rows, and its refit is evaluated one way: set tta: beside the matrix")]
    [InlineData("training: { validation: 0.2 }\nexperiments:\n  s: { model: simple-unet, refit: true, matrix: { eval_precision: [fp32, bf16] } }\n", "experiments.s.refit: eval_precision varies across this matrix's rows, and its refit is evaluated one way: set eval_precision: beside the matrix")]
    public void Test_time_augmentation_mistakes_are_reported_with_their_line(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);

    [Fact]
    public void A_weight_average_keys_only_the_trainings_that_use_it_and_a_matrix_may_vary_it()
    {
        var stages = LabPipeline.Build(LoadText("""
            training: { ema: 0.999 }
            experiments:
              a: { model: simple-unet }
              b: { model: simple-unet, ema: 0.99 }
              sweep: { model: simple-unet, matrix: { ema: [0.9, 0.99] } }
              off: { model: simple-unet, matrix: { ema: [none, 0.99] } }
            """));
        Assert.Equal(("0.999", "0.99"), (stages["train-a"].Parameters["ema"], stages["train-b"].Parameters["ema"]));
        Assert.Equal(("0.9", "0.99"), (stages["train-sweep-1"].Parameters["ema"], stages["train-sweep-2"].Parameters["ema"]));
        Assert.Equal(stages["train-b"].Parameters, stages["train-sweep-2"].Parameters); // the same settings: one training
        Assert.False(stages["train-off-1"].Parameters.ContainsKey("ema")); // none: the trained weights, whatever training: says
        Assert.Equal(stages["train-b"].Parameters, stages["train-off-2"].Parameters);
        var plain = LabPipeline.Build(LoadText("experiments:\n  a: { model: simple-unet }\n"));
        Assert.False(plain["train-a"].Parameters.ContainsKey("ema")); // none: absent, the keys as they were
        var settings = LoadText("training: { ema: 0.999 }\nexperiments:\n  a: { model: simple-unet }\n").Experiments.Single().Settings;
        Assert.Equal(0.999, settings.Ema);
    }

    [Theory]
    [InlineData("training: { ema: 1 }\n", "pipeline.yaml:1:18: training.ema: ema is the decay of the weights' moving average, between 0 and 1 (0.999 is typical; none, the lab's, publishes the trained weights themselves), not 1")]
    [InlineData("experiments:\n  a: { model: simple-unet, ema: 0 }\n", "pipeline.yaml:2:33: experiments.a.ema: ema is the decay of the weights' moving average, between 0 and 1")]
    [InlineData("experiments:\n  a: { model: simple-unet, ema: -0.5 }\n", "experiments.a.ema: ema is the decay of the weights' moving average, between 0 and 1 (0.999 is typical; none, the lab's, publishes the trained weights themselves), not -0.5")]
    [InlineData("experiments:\n  a: { model: simple-unet, ema: yes }\n", "experiments.a.ema: expected a number, found 'yes'")]
    public void Weight_average_mistakes_are_reported_with_their_line(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);

    /// <summary>MiT's init was fixed (TorchSharp's trunc_normal_ filled the std): only models whose MiT starts from it are rekeyed.</summary>
    [Fact]
    public void Only_a_mit_trained_from_its_own_init_is_keyed_by_the_init_fix()
    {
        var stages = LabPipeline.Build(LoadText("""
            training: { pretrained: false }
            experiments:
              seg: { model: segformer-mit_b0 }
              umit: { model: unet-mit_b1 }
              seg-imagenet: { model: segformer-mit_b0, pretrained: true }
              unet: { model: unet-resnet34 }
              sres: { model: segformer-resnet18 }
            """));
        Assert.Equal(("mit-2", "mit-2"), (stages["train-seg"].Parameters["init"], stages["train-umit"].Parameters["init"]));
        Assert.All(new[] { "train-seg-imagenet", "train-unet", "train-sres" }, id => Assert.False(stages[id].Parameters.ContainsKey("init"), id));
    }

    [Fact]
    public void A_loss_keys_only_the_trainings_that_change_it_and_a_matrix_may_vary_it()
    {
        var stages = LabPipeline.Build(LoadText("""
            training: { loss: dice }
            experiments:
              a: { model: simple-unet }
              b: { model: simple-unet, loss: ce+dice }
              sweep: { model: simple-unet, matrix: { loss: [ce, dice, ce+dice, jaccard] } }
            """));
        Assert.Equal(("dice", "ce+dice"), (stages["train-a"].Parameters["loss"], stages["train-b"].Parameters["loss"]));
        Assert.False(stages["train-sweep-1"].Parameters.ContainsKey("loss")); // ce: the lab's, whatever training: says
        Assert.Equal(stages["train-a"].Parameters, stages["train-sweep-2"].Parameters); // the same settings: one training
        Assert.Equal(stages["train-b"].Parameters, stages["train-sweep-3"].Parameters);
        Assert.Equal("jaccard", stages["train-sweep-4"].Parameters["loss"]);
        var plain = LabPipeline.Build(LoadText("experiments:\n  a: { model: simple-unet }\n"));
        Assert.False(plain["train-a"].Parameters.ContainsKey("loss")); // absent: the keys as they were
        Assert.Equal(stages["train-sweep-1"].Parameters, plain["train-a"].Parameters);
        var config = LoadText("training: { loss: ce+dice }\nexperiments:\n  a: { model: simple-unet }\n  b: { model: simple-unet, loss: ce }\n");
        Assert.Same(PetSeg.Training.Losses.SegmentationLoss.CrossEntropyDice, config.Experiments[0].Settings.Objective);
        Assert.Null(config.Experiments[1].Settings.Loss);
    }

    [Theory]
    [InlineData("training: { loss: dcie }\n", "pipeline.yaml:1:19: training.loss: expected one of ce, dice, jaccard, ce+dice, lovasz, focal, found 'dcie' (did you mean 'dice'?)")]
    [InlineData("experiments:\n  a: { model: simple-unet, loss: tversky }\n", "pipeline.yaml:2:34: experiments.a.loss: expected one of ce, dice, jaccard, ce+dice, lovasz, focal, found 'tversky'")]
    public void Loss_mistakes_are_reported_with_their_line(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);

    [Theory]
    [InlineData("experiments:\n  a: { model: simple-unet, min_lr: 0.0001 }\n", "pipeline.yaml:2:36: experiments.a.min_lr: min_lr is where a learning-rate schedule ends, and this experiment's rate is constant: set lr_schedule: cosine")]
    [InlineData("experiments:\n  a: { model: simple-unet, lr: 0.001, lr_schedule: cosine, min_lr: 0.01 }\n", "experiments.a.min_lr: min_lr 0.01 is above the learning rate 0.001 it anneals from")]
    [InlineData("training: { lr_schedule: step }\n", "training.lr_schedule: expected one of constant, cosine")]
    [InlineData("training: { warmup_epochs: 3 }\nexperiments:\n  a: { model: simple-unet }\n", "pipeline.yaml:1:28: training.warmup_epochs: warmup_epochs ramps the rate up to where a learning-rate schedule starts, and this experiment's rate is constant")]
    public void Learning_rate_schedule_mistakes_are_reported_with_their_line(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);

    [Fact]
    public void A_refit_chooses_after_the_matrix_evaluations_trains_on_all_of_trainval_and_leaves_the_runs_keys_alone()
    {
        const string Sweep = "training: { validation: 0.2, seeds: [1, 2] }\nexperiments:\n  sweep: { model: simple-unet, keep: best, matrix: { lr: [0.01, 0.001] } }\n";
        var plain = LabPipeline.Build(LoadText(Sweep));
        var c = LoadText(Sweep.Replace("keep: best,", "keep: best, refit: true,", StringComparison.Ordinal));
        var refits = c.Experiments.Where(e => e.Refit is not null).ToList();
        Assert.Equal(["sweep-refit-seed1", "sweep-refit-seed2"], refits.Select(r => r.Id)); // one per seed, like the rows
        var refit = refits[0];
        Assert.Equal(("sweep-refit", "sweep (refit)", 0.0, false, 1L), (refit.ExperimentId, refit.Title, refit.Validation, refit.KeepBest, refit.Settings.Seed));
        Assert.Equal(["sweep-1-seed1", "sweep-1-seed2", "sweep-2-seed1", "sweep-2-seed2"], refit.Refit!.Runs.Select(r => r.Id));
        Assert.Equal("sweep-refit", c.Report.Tables.Single().Refit);

        var stages = LabPipeline.Build(c);
        var ids = stages.Stages.Select(s => s.Id).ToList();
        // Declared after the evaluations it chooses among: choose, then the refit's training and evaluation.
        Assert.Equal(["choose-sweep", "train-sweep-refit-seed1", "train-sweep-refit-seed2", "evaluate-sweep-refit-seed1", "evaluate-sweep-refit-seed2", "report"],
            ids.Skip(ids.IndexOf("choose-sweep")));
        Assert.Equal(["evaluate-sweep-1-seed1", "evaluate-sweep-1-seed2", "evaluate-sweep-2-seed1", "evaluate-sweep-2-seed2"], stages["choose-sweep"].DependsOn);
        Assert.Equal(["choose-sweep", "preprocess"], stages["train-sweep-refit-seed2"].DependsOn);
        Assert.True(stages["choose-sweep"].UsesInput("evaluate-sweep-1-seed1", "metrics.json"));
        Assert.False(stages["choose-sweep"].UsesInput("evaluate-sweep-1-seed1", "per-image-iou.json"));
        Assert.False(stages["train-sweep-refit-seed1"].UsesInput("choose-sweep", "other.json"));
        Assert.Contains("train-sweep-refit-seed2", stages["report"].DependsOn);
        // What it trains is the choice's (an input), so its parameters name the matrix and its seed; the runs' keys are unchanged.
        Assert.Equal(new SortedDictionary<string, string> { ["refit"] = "sweep", ["seed"] = "2" }, stages["train-sweep-refit-seed2"].Parameters);
        Assert.False(stages["evaluate-sweep-refit-seed1"].Parameters.ContainsKey("validation"));
        foreach (var run in plain.Stages.Where(s => s.Id.StartsWith("train-", StringComparison.Ordinal) || s.Id.StartsWith("evaluate-", StringComparison.Ordinal)))
            Assert.Equal(run.Parameters, stages[run.Id].Parameters);
    }

    [Theory]
    [InlineData("experiments:\n  a: { model: simple-unet, refit: true }\n", "pipeline.yaml:2:35: experiments.a.refit: a refit trains the row a matrix's validation images chose again on all of trainval, and this experiment has no matrix")]
    [InlineData("experiments:\n  s: { model: simple-unet, refit: true, matrix: { lr: [0.1, 0.2] } }\n", "pipeline.yaml:2:35: experiments.s.refit: a refit trains the row the validation images choose, and this matrix holds no images out: set validation: 0.1")]
    [InlineData("training: { validation: 0.1 }\nexperiments:\n  s: { model: simple-unet, matrix: { refit: [true, false] } }\n", "experiments.s.matrix: a matrix varies single settings (lr, epochs, optimizer, augment, model, …), not 'refit'")]
    [InlineData("training: { validation: 0.1 }\nexperiments:\n  s: { model: simple-unet, refit: yes-please, matrix: { lr: [0.1] } }\n", "experiments.s.refit:")]
    [InlineData("training: { validation: 0.1 }\nexperiments:\n  s: { model: simple-unet, refit: true, matrix: { lr: [0.1] } }\n  s-refit: { model: simple-unet }\n", "two runs are named 's-refit'")]
    public void Refit_mistakes_are_reported_with_their_line(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);

    [Fact]
    public void The_repository_pipeline_yaml_example_lines_hold_out_validation_keep_the_best_epoch_anneal_the_rate_flip_at_test_time_average_the_weights_and_change_the_loss_when_uncommented()
    {
        var text = File.ReadAllText(RepoFiles.Path("pipeline.yaml"));
        Assert.Contains("  # validation: 0.1 ", text);
        Assert.Contains("  # keep: best ", text);
        var c = LoadText(text.Replace("  # validation: 0.1 ", "  validation: 0.1   ", StringComparison.Ordinal)
            .Replace("  # keep: best ", "  keep: best   ", StringComparison.Ordinal));
        Assert.Equal(14, c.Experiments.Count);
        Assert.All(c.Experiments, e => Assert.Equal((0.1, true), (e.Validation, e.KeepBest)));
        Assert.Contains("  # folds: 5 ", text);
        c = LoadText(text.Replace("  # folds: 5 ", "  folds: 5   ", StringComparison.Ordinal));
        Assert.Equal(70, c.Experiments.Count); // the lab's 14, five folds each
        Assert.All(c.Experiments, e => Assert.Equal(5, e.Folds));
        Assert.Contains("  # lr_schedule: cosine ", text);
        c = LoadText(text.Replace("  # lr_schedule: cosine ", "  lr_schedule: cosine   ", StringComparison.Ordinal));
        Assert.All(c.Experiments, e => Assert.Equal(PetSeg.Training.Optim.LrSchedule.Cosine, e.Settings.Schedule?.Name));
        Assert.Contains("  # tta: hflip ", text);
        c = LoadText(text.Replace("  # tta: hflip ", "  tta: hflip   ", StringComparison.Ordinal));
        Assert.All(c.Experiments, e => Assert.Equal(PetSeg.Inference.TestTimeAugmentation.HorizontalFlip, e.Tta));
        Assert.Contains("  # ema: 0.999 ", text);
        c = LoadText(text.Replace("  # ema: 0.999 ", "  ema: 0.999   ", StringComparison.Ordinal));
        Assert.All(c.Experiments, e => Assert.Equal(0.999, e.Settings.Ema));
        Assert.Contains("  # loss: ce+dice ", text);
        c = LoadText(text.Replace("  # loss: ce+dice ", "  loss: ce+dice   ", StringComparison.Ordinal));
        Assert.All(c.Experiments, e => Assert.Same(PetSeg.Training.Losses.SegmentationLoss.CrossEntropyDice, e.Settings.Loss));
        Assert.Contains("  # unet-r50: ", text);
        c = LoadText(text.Replace("  # unet-r50: ", "  unet-r50:   ", StringComparison.Ordinal));
        Assert.Equal("unet-resnet50", Assert.Single(c.Experiments, e => e.Id == "unet-r50").Settings.Model.Architecture);
    }

    [Theory]
    [InlineData("training: { validation: 0.7 }\n", "pipeline.yaml:1:25: training.validation:")]
    [InlineData("experiments:\n  a: { model: simple-unet, validation: -1 }\n", "pipeline.yaml:2:40: experiments.a.validation:")]
    [InlineData("experiments:\n  a: { model: simple-unet, validation: most }\n", "experiments.a.validation: expected a number, found 'most'")]
    [InlineData("experiments:\n  a: { model: simple-unet, keep: best }\n", "pipeline.yaml:2:34: experiments.a.keep: keep: best chooses epochs by the validation mean IoU, and this experiment holds no images out: set validation: 0.1")]
    [InlineData("training: { patience: 3 }\nexperiments:\n  a: { model: simple-unet }\n", "pipeline.yaml:1:23: training.patience: patience chooses epochs by the validation mean IoU")]
    [InlineData("training: { validation: 0.1 }\nexperiments:\n  a: { model: simple-unet, keep: first }\n", "experiments.a.keep: expected one of last, best")]
    [InlineData("training: { validation: 0.1, patience: 0 }\n", "training.patience:")]
    [InlineData("training: { validation: 0.1 }\nexperiments:\n  a: { model: simple-unet, min_epochs: 5 }\n", "pipeline.yaml:3:40: experiments.a.min_epochs: min_epochs delays early stopping, and this experiment does not stop early: set patience: 5")]
    [InlineData("training: { validation: 0.1, min_epochs: 5 }\nexperiments:\n  a: { model: simple-unet }\n", "pipeline.yaml:1:42: training.min_epochs: min_epochs delays early stopping")]
    public void A_validation_fraction_outside_zero_to_a_half_is_reported_with_its_line(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);

    [Fact]
    public void A_folder_source_is_found_relative_to_the_file_and_its_mistakes_are_told_with_their_line()
    {
        Directory.CreateDirectory(_dir["pets/images"]);
        Directory.CreateDirectory(_dir["pets/masks"]);
        File.WriteAllText(_dir["pets/held-out.txt"], "a\n");
        var c = LoadText("dataset:\n  source: folder\n  folder: { path: pets, background: [0, 2], ignore: 255, test_list: held-out.txt }\n");
        var f = c.Dataset.Folder!;
        Assert.Equal((_dir["pets/images"], _dir["pets/masks"], _dir["pets/held-out.txt"]), (f.ImagesDir, f.MasksDir, f.TestList));
        Assert.Equal([0, 2], f.Background);
        Assert.Equal([255], f.Ignore);
        Assert.Equal("кошка", LoadText("dataset:\n  source: folder\n  folder: { path: pets, foreground: кошка }\n").Dataset.ClassNames[1]); // any script's letters
        Assert.Null(LoadText("dataset: { folder: { path: nowhere } }\n").Dataset.Folder); // another source: only its keys are checked

        foreach (var (yaml, expected) in new[]
        {
            ("dataset: { source: folder }\n", "pipeline.yaml:1:10: dataset.folder.path: the folder with your images and masks is required with dataset.source: folder"),
            ("dataset: { source: folder, folder: { path: nowhere } }\n", $"pipeline.yaml:1:44: dataset.folder.path: {_dir["nowhere"]} does not exist"),
            ("dataset: { source: folder, folder: { path: pets, masks: labels } }\n", $"dataset.folder.masks: {_dir["pets/labels"]} does not exist"),
            ("dataset: { source: folder, folder: { path: pets, background: [0, 300] } }\n", "dataset.folder.background: '300' is not a mask value (0..255)"),
            ("dataset: { source: folder, folder: { path: pets, background: [] } }\n", "dataset.folder.background: names no value"),
            ("dataset: { source: folder, folder: { path: pets, ignore: [0] } }\n", "dataset.folder.ignore: 0 is listed as background too"),
            ("dataset: { source: folder, folder: { path: pets, test_fraction: 1 } }\n", "dataset.folder.test_fraction: 1 is outside 0.01..0.99"),
            ("dataset: { source: folder, folder: { path: pets, test_fraction: 0.2, test_list: held-out.txt } }\n", "dataset.folder.test_fraction: and test_list both choose the test split"),
            ("dataset: { source: folder, folder: { path: pets, backgroud: [0] } }\n", "(did you mean 'background'?)"),
            ("dataset: { source: folder, folder: { path: pets, foreground: 'a|b' } }\n", "dataset.folder.foreground: 'a|b' is not a class name of letters, digits, blanks, '_', '.' or '-' (at most 40)"),
            ("dataset: { source: folder, folder: { path: pets, foreground: background } }\n", "dataset.folder.foreground: is the background's name"),
            ("dataset: { source: folder, folder: { path: pets, split_by: group, test_list: held-out.txt } }\n", "dataset.folder.split_by: chooses how test_fraction holds images out, and test_list names them itself"),
            ("dataset: { source: folder, folder: { path: pets, split_by: patient } }\n", "dataset.folder.split_by: expected one of image, group"),
            ("dataset: { source: folder, folder: { path: pets, test_images: images } }\n", "dataset.folder.test_images: a test split of its own needs both test_images and test_masks"),
            ("dataset: { source: folder, folder: { path: pets, test_images: images, test_masks: masks, test_list: held-out.txt } }\n", "dataset.folder.test_images: and test_list both choose the test split"),
        })
            Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);
    }

    [Fact]
    public void Classes_of_ones_own_are_read_in_order_and_size_every_models_head()
    {
        Directory.CreateDirectory(_dir["pets/images"]);
        Directory.CreateDirectory(_dir["pets/masks"]);
        var c = LoadText("dataset:\n  source: folder\n  folder:\n    path: pets\n    ignore: [255]\n    classes: { sky: [0], road: [3, 1], car: 2 }\n" +
                         "experiments:\n  a: { model: unet-resnet34 }\n  b: { model: simple-vit }\n");
        Assert.Equal(["sky", "road", "car"], c.Dataset.ClassNames);
        Assert.Equal([1, 3], c.Dataset.Folder!.Classes![1].Values);
        Assert.All(c.Experiments, e => Assert.Equal(3, e.Settings.Model.Classes));
        Assert.Equal("3", new PetSeg.Lab.Stages.TrainStage(c, c.Experiments[0]).Parameters["classes"]);
        var download = new PetSeg.Lab.Stages.DownloadStage(c).Parameters["folder"];
        Assert.Contains("\"classes\":[{\"name\":\"sky\",\"values\":[0]},{\"name\":\"road\",\"values\":[1,3]},{\"name\":\"car\",\"values\":[2]}]", download);
        Assert.DoesNotContain("background", download);
        // The binary reading keeps its parameters as they were (the lab's keys unchanged).
        var binary = LoadText("dataset: { source: folder, folder: { path: pets } }\nexperiments:\n  a: { model: simple-unet }\n");
        Assert.Equal("{\"background\":[0],\"ignore\":[],\"test\":\"0.2\",\"mask_suffix\":\"\",\"skip_bad_samples\":false}", new PetSeg.Lab.Stages.DownloadStage(binary).Parameters["folder"]);
        Assert.Equal(2, binary.Experiments[0].Settings.Model.Classes);
        // Colour-coded masks: each colour a code, classes first, then ignore; the colours enter the key.
        var camvid = LoadText("dataset: { source: folder, folder: { path: pets, classes: { sky: ['#808080'], road: ['#804080', '#800000'] }, ignore: ['#000000'] } }\n");
        var cf = camvid.Dataset.Folder!;
        Assert.Equal([0x808080, 0x804080, 0x800000, 0x000000], cf.Colours);
        Assert.Equal([[0], [1, 2]], cf.Classes!.Select(k => k.Values.Select(v => (int)v).ToArray()));
        Assert.Equal([3], cf.Ignore);
        Assert.Contains("\"colours\":[\"#808080\",\"#804080\",\"#800000\",\"#000000\"]", new PetSeg.Lab.Stages.DownloadStage(camvid).Parameters["folder"]);
        foreach (var (yaml, expected) in new[]
        {
            ("classes: { sky: ['#808080'], road: [3] }", "dataset.folder.classes.road: '3' is not a colour such as '#804080' (quoted: # starts a comment)"),
            ("classes: { sky: ['#808080'], road: ['#808080'] }", "dataset.folder.classes.road: #808080 is listed for sky too"),
            ("classes: { sky: ['#808080'], road: ['#804080'] }, ignore: [0]", "dataset.folder.ignore: '0' is not a colour such as '#000000'"),
            ("classes: { sky: ['#808080'], road: ['#804080'] }, ignore: ['#804080']", "dataset.folder.ignore: #804080 is listed for road too"),
            ("classes: { sky: ['#80808'], road: ['#804080'] }", "dataset.folder.classes.sky: '#80808' is not a colour"),
            ("background: ['#000000']", "dataset.folder.background: '#000000' is not a mask value (0..255); colour-coded masks name their colours under classes:"),
        })
            Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText($"dataset: {{ source: folder, folder: {{ path: pets, {yaml} }} }}\n")).Message);
        var voc = LoadText("dataset: { source: folder, folder: { path: pets, images_without_masks: skip } }\n");
        Assert.True(voc.Dataset.Folder!.SkipImagesWithoutMasks);
        Assert.Contains("\"images_without_masks\":\"skip\"", new PetSeg.Lab.Stages.DownloadStage(voc).Parameters["folder"]);
        Assert.Contains("dataset.folder.images_without_masks: expected one of refuse, skip",
            Assert.Throws<ConfigException>(() => LoadText("dataset: { source: folder, folder: { path: pets, images_without_masks: yes } }\n")).Message);

        foreach (var (yaml, expected) in new[]
        {
            ("classes: { background: [0], cat: [1] }, background: [0]", "dataset.folder.background: and classes both say what the mask values mean"),
            ("classes: { background: [0], cat: [1] }, foreground: cat", "dataset.folder.foreground: and classes both say what the mask values mean"),
            ("classes: { background: [0] }", "dataset.folder.classes: names 1 class(es): list at least two"),
            ("classes: { background: [0], cat: [1, 0] }", "pipeline.yaml:1:87: dataset.folder.classes.cat: 0 is listed for background too"),
            ("classes: { background: [0], cat: [1] }, ignore: [1]", "dataset.folder.classes.cat: 1 is listed in ignore too"),
            ("classes: { background: [0], cat: [1, 1] }", "dataset.folder.classes.cat: a value is listed twice"),
            ("classes: { background: [0], cat: [] }", "dataset.folder.classes.cat: names no value: list the mask values of this class"),
            ("classes: { background: [0], 'a|b': [1] }", "dataset.folder.classes: 'a|b' is not a class name"),
            ("classes: { background: [0], cat: [256] }", "dataset.folder.classes.cat: '256' is not a mask value (0..255)"),
            ("classes: [background, cat]", "dataset.folder.classes: expected a mapping of lists"),
        })
            Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText($"dataset: {{ source: folder, folder: {{ path: pets, {yaml} }} }}\n")).Message);
    }

    [Fact]
    public void Class_weights_key_only_the_trainings_that_set_them_and_are_one_per_class()
    {
        var c = LoadText("training: { class_weights: balanced }\nexperiments:\n  a: { model: simple-unet }\n  b: { model: simple-unet, class_weights: [1, 4] }\n" +
                         "  c: { model: simple-unet, class_weights: none }\n  d: { model: simple-unet, loss: ce+dice }\n");
        Assert.Equal(["balanced", "1,4", null, "balanced"], c.Experiments.Select(e => e.Settings.ClassWeights?.Name));
        string? Key(int i) => new PetSeg.Lab.Stages.TrainStage(c, c.Experiments[i]).Parameters.GetValueOrDefault("class_weights");
        Assert.Equal(["balanced", "1,4", null, "balanced"], Enumerable.Range(0, 4).Select(Key));
        var plain = LoadText("experiments:\n  a: { model: simple-unet }\n");
        Assert.DoesNotContain("class_weights", new PetSeg.Lab.Stages.TrainStage(plain, plain.Experiments[0]).Parameters.Keys); // the lab's keys as they were
        var m = LoadText("experiments:\n  s:\n    model: simple-unet\n    matrix: { class_weights: [none, balanced] }\n");
        Assert.Equal([null, "balanced"], m.Experiments.Select(e => e.Settings.ClassWeights?.Name));

        foreach (var (yaml, expected) in new[]
        {
            ("experiments:\n  a: { model: simple-unet, class_weights: [1, 2, 3] }\n", "pipeline.yaml:2:43: experiments.a.class_weights: 3 weight(s) for 2 classes: give one per class"),
            ("experiments:\n  a: { model: simple-unet, class_weights: [1, -2] }\n", "experiments.a.class_weights: '-2' is not a weight: none, balanced, or one non-negative number per class"),
            ("experiments:\n  a: { model: simple-unet, class_weights: [0, 0] }\n", "experiments.a.class_weights: every weight is 0"),
            ("experiments:\n  a: { model: simple-unet, class_weights: balanced, loss: dice }\n", "experiments.a.class_weights: class_weights weighs the cross-entropy, and this experiment's loss is dice, which has none"),
            ("training: { class_weights: balanced }\nexperiments:\n  a: { model: simple-unet, loss: lovasz }\n", "training.class_weights: class_weights weighs the cross-entropy, and this experiment's loss is lovasz"),
        })
            Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);
    }

    [Fact]
    public void Tiles_key_the_preprocess_trainings_and_report_only_when_set_and_have_their_own_cache()
    {
        var c = LoadText("preprocess: { image_size: 64, tiles: { scale: 0.5 } }\nexperiments:\n  a: { model: simple-unet }\n");
        Assert.Equal(0.5, c.Preprocess.TileScale);
        Assert.Equal(0.5, c.Experiments[0].Settings.Model.TileScale); // what predict reads back from the checkpoint
        Assert.Equal("scale=0.5", new PetSeg.Lab.Stages.PreprocessStage(c).Parameters["tiles"]);
        Assert.Equal("scale=0.5", new PetSeg.Lab.Stages.TrainStage(c, c.Experiments[0]).Parameters["tiles"]);
        Assert.Equal("scale=0.5,size=64", new PetSeg.Lab.Stages.ReportStage(c).Parameters["tiles"]);
        Assert.EndsWith(Path.Combine("cache", "oxford-64-tiles0.5"), PetSeg.Lab.Stages.PreprocessStage.CacheDir(c));
        Assert.Equal(1.0, LoadText("preprocess: { tiles: {} }\n").Preprocess.TileScale); // at the images' own size

        // overlap: an evaluation setting of a tiled model, scored at the images' own size; the trainings' keys as they were.
        var windowed = LoadText("preprocess: { image_size: 64, tiles: { scale: 0.5 } }\nexperiments:\n  a: { model: simple-unet, overlap: 0.5 }\n");
        Assert.Equal((0.5, true), (windowed.Experiments[0].Overlap, windowed.Experiments[0].NativeMetrics));
        Assert.Equal("0.5", new PetSeg.Lab.Stages.EvaluateStage(windowed, windowed.Experiments[0]).Parameters["overlap"]);
        Assert.Equal(new PetSeg.Lab.Stages.TrainStage(c, c.Experiments[0]).Parameters, new PetSeg.Lab.Stages.TrainStage(windowed, windowed.Experiments[0]).Parameters);
        Assert.DoesNotContain("overlap", new PetSeg.Lab.Stages.EvaluateStage(c, c.Experiments[0]).Parameters.Keys);
        Assert.Contains("experiments.a.overlap: overlap slides windows over the tiles a model trains on, and this dataset's images are resized whole: set preprocess.tiles: { scale: 0.5 }, or leave overlap out",
            Assert.Throws<ConfigException>(() => LoadText("experiments:\n  a: { model: simple-unet, overlap: 0.5 }\n")).Message);
        Assert.Contains("experiments.a.overlap: 0.95 is outside", Assert.Throws<ConfigException>(() => LoadText("preprocess: { tiles: {} }\nexperiments:\n  a: { model: simple-unet, overlap: 0.95 }\n")).Message);

        var plain = LoadText("preprocess: { image_size: 64 }\nexperiments:\n  a: { model: simple-unet }\n");
        Assert.Null(plain.Preprocess.TileScale);
        Assert.DoesNotContain("tiles", new PetSeg.Lab.Stages.PreprocessStage(plain).Parameters.Keys); // the lab's keys as they were
        Assert.DoesNotContain("tiles", new PetSeg.Lab.Stages.TrainStage(plain, plain.Experiments[0]).Parameters.Keys);
        Assert.DoesNotContain("tiles", new PetSeg.Lab.Stages.ReportStage(plain).Parameters.Keys);
        Assert.EndsWith(Path.Combine("cache", "oxford-64"), PetSeg.Lab.Stages.PreprocessStage.CacheDir(plain));

        foreach (var (yaml, expected) in new[]
        {
            ("preprocess: { tiles: { scale: 0 } }\n", "pipeline.yaml:1:31: preprocess.tiles.scale"),
            ("preprocess: { tiles: { scale: 9 } }\n", "preprocess.tiles.scale"),
            ("preprocess: { tiles: { sacle: 0.5 } }\n", "(did you mean 'scale'?)"),
            ("preprocess: { tiles: 0.5 }\n", "preprocess.tiles: expected a mapping"),
        })
            Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);
    }

    [Fact]
    public void An_ensemble_of_seeds_is_one_more_evaluation_keyed_by_its_members_and_needs_seeds()
    {
        var c = LoadText("training: { seeds: [1, 2, 3] }\nexperiments:\n  a: { model: simple-unet, ensemble: true }\n  b: { model: simple-unet }\n");
        var graph = LabPipeline.Build(c);
        var stage = Assert.IsType<PetSeg.Lab.Stages.EnsembleStage>(graph.Stages.Single(s => s.Id == "evaluate-a-ensemble"));
        Assert.Equal(["preprocess", "train-a-seed1", "train-a-seed2", "train-a-seed3"], stage.DependsOn);
        Assert.Equal("1,2,3", stage.Parameters["seeds"]);
        Assert.Equal("train-seed2/model.safetensors", stage.InputName("train-a-seed2", "model.safetensors")); // by seed, not by stage name
        Assert.Contains("evaluate-a-ensemble", new PetSeg.Lab.Stages.ReportStage(c).DependsOn);
        Assert.DoesNotContain(graph.Stages, s => s.Id == "evaluate-b-ensemble");
        Assert.DoesNotContain(LabPipeline.Build(LoadText("training: { seeds: [1, 2] }\nexperiments:\n  a: { model: simple-unet }\n")).Stages, s => s is PetSeg.Lab.Stages.EnsembleStage);

        foreach (var (yaml, expected) in new[]
        {
            ("experiments:\n  a: { model: simple-unet, ensemble: true }\n", "pipeline.yaml:2:38: experiments.a.ensemble: an ensemble is the mean of several models, and this experiment trains one: set seeds: [42, 43, 44] or folds: 5 beside it"),
            ("training: { ensemble: true }\nexperiments:\n  a: { model: simple-unet }\n", "training.ensemble: an ensemble is the mean of several models"),
        })
            Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);
    }

    [Fact]
    public void Folds_make_one_run_per_fold_and_seed_keyed_by_their_fold_and_are_refused_where_they_cannot_be()
    {
        var c = LoadText("training: { seeds: [1, 2] }\nexperiments:\n  a: { model: simple-unet, folds: 3, ensemble: true, keep: best }\n  b: { model: simple-unet }\n");
        Assert.Equal(["a-seed1-fold1", "a-seed1-fold2", "a-seed1-fold3", "a-seed2-fold1", "a-seed2-fold2", "a-seed2-fold3", "b-seed1", "b-seed2"], c.Experiments.Select(e => e.Id));
        var run = c.Experiments.Single(e => e.Id == "a-seed2-fold3");
        Assert.Equal(("a", 3, 3, 2L, true), (run.ExperimentId, run.Folds, run.Fold, run.Settings.Seed, run.HoldsOut));
        var train = new PetSeg.Lab.Stages.TrainStage(c, run).Parameters;
        Assert.Equal(("3", "3", "best"), (train["folds"], train["fold"], train["keep"]));
        Assert.DoesNotContain("validation", train.Keys);
        var evaluate = new PetSeg.Lab.Stages.EvaluateStage(c, run);
        Assert.Equal(("3", "3"), (evaluate.Parameters["folds"], evaluate.Parameters["fold"]));
        Assert.True(evaluate.UsesInput("preprocess", "trainval.petc")); // it scores its fold
        // The other folds' keys differ by fold only; an experiment without folds keeps its keys' parameters as before.
        var fold1 = new PetSeg.Lab.Stages.TrainStage(c, c.Experiments.Single(e => e.Id == "a-seed2-fold1")).Parameters;
        Assert.Equal(["fold"], train.Keys.Where(k => train[k] != fold1[k]));
        var plain = c.Experiments.Single(e => e.Id == "b-seed1");
        Assert.False(plain.HoldsOut);
        Assert.DoesNotContain("folds", new PetSeg.Lab.Stages.TrainStage(c, plain).Parameters.Keys);
        Assert.DoesNotContain("fold", new PetSeg.Lab.Stages.EvaluateStage(c, plain).Parameters.Keys);
        // One ensemble of the six, each member named by seed and fold.
        var ensemble = Assert.IsType<PetSeg.Lab.Stages.EnsembleStage>(LabPipeline.Build(c).Stages.Single(s => s.Id == "evaluate-a-ensemble"));
        Assert.Equal("train-seed2-fold3/model.safetensors", ensemble.InputName("train-a-seed2-fold3", "model.safetensors"));
        Assert.Equal("3", ensemble.Parameters["folds"]);
        Assert.Equal(7, ensemble.DependsOn.Count);
        // folds alone make an ensemble of one seed, and a matrix's refit chooses on them, once per seed.
        Assert.Single(LabPipeline.Build(LoadText("experiments:\n  a: { model: simple-unet, folds: 2, ensemble: true }\n")).Stages.OfType<PetSeg.Lab.Stages.EnsembleStage>());
        var sweep = LoadText("experiments:\n  s: { model: simple-unet, folds: 2, refit: true, matrix: { lr: [0.1, 0.01] } }\n");
        Assert.Equal(["s-1-fold1", "s-1-fold2", "s-2-fold1", "s-2-fold2", "s-refit"], sweep.Experiments.Select(e => e.Id));
        Assert.Equal(0, sweep.Experiments[^1].Folds); // the refit trains on all of trainval

        foreach (var (yaml, expected) in new[]
        {
            ("experiments:\n  a: { model: simple-unet, folds: 3, validation: 0.2 }\n", "pipeline.yaml:2:35: experiments.a.folds: folds: 3 holds out each of 3 parts of trainval in turn, and validation: 0.2 one fixed part: set one of them (validation: 0 under an experiment overrides the training default)"),
            ("training: { folds: 3, validation: 0.2 }\nexperiments:\n  a: { model: simple-unet }\n", "training.folds: folds: 3 holds out"),
            ("training: { validation: 0.2 }\nexperiments:\n  a: { model: simple-unet, folds: 3 }\n", "experiments.a.folds: folds: 3 holds out"),
            ("experiments:\n  a: { model: simple-unet, folds: 1 }\n", "experiments.a.folds: one fold would hold out all of trainval and train on nothing: use 2 or more (5 is usual), or 0 for none"),
            ("experiments:\n  a: { model: simple-unet, folds: 21 }\n", "experiments.a.folds: 21 is outside 0..20"),
            ("experiments:\n  a: { model: simple-unet, patience: 2 }\n", "this experiment holds no images out: set validation: 0.1 (a fraction of trainval) or folds: 5 beside it"),
        })
            Assert.Contains(expected, Assert.Throws<ConfigException>(() => LoadText(yaml)).Message);
        // An experiment's validation: 0 overrides a training default, so its folds stand.
        var mixed = LoadText("training: { validation: 0.2 }\nexperiments:\n  a: { model: simple-unet, folds: 2, validation: 0 }\n  b: { model: simple-unet }\n");
        Assert.Equal(["a-fold1", "a-fold2", "b"], mixed.Experiments.Select(e => e.Id));
    }

    [Fact]
    public void A_dataset_split_by_group_validates_by_group_and_says_so_in_the_keys()
    {
        Directory.CreateDirectory(_dir["pets/images"]);
        Directory.CreateDirectory(_dir["pets/masks"]);
        var c = LoadText("dataset: { source: folder, folder: { path: pets, split_by: group } }\n" +
                         "experiments:\n  a: { model: simple-unet, validation: 0.2 }\n  b: { model: simple-unet }\n");
        var (a, b) = (c.Experiments.Single(e => e.Id == "a"), c.Experiments.Single(e => e.Id == "b"));
        Assert.True(a.ValidationByGroup);
        Assert.False(b.ValidationByGroup); // nothing held out, nothing to say
        Assert.Equal("group", new PetSeg.Lab.Stages.TrainStage(c, a).Parameters["validation_by"]);
        Assert.DoesNotContain("validation_by", new PetSeg.Lab.Stages.TrainStage(c, b).Parameters.Keys);
        var byImage = LoadText("dataset: { source: folder, folder: { path: pets } }\nexperiments:\n  a: { model: simple-unet, validation: 0.2 }\n");
        Assert.DoesNotContain("validation_by", new PetSeg.Lab.Stages.TrainStage(byImage, byImage.Experiments[0]).Parameters.Keys); // the keys as before
        var folds = LoadText("dataset: { source: folder, folder: { path: pets, split_by: group } }\nexperiments:\n  a: { model: simple-unet, folds: 2 }\n");
        Assert.All(folds.Experiments, e => Assert.True(e.ValidationByGroup)); // folds of whole groups too
        Assert.Equal("group", new PetSeg.Lab.Stages.TrainStage(folds, folds.Experiments[1]).Parameters["validation_by"]);
    }

    [Fact]
    public void The_repository_pipeline_yaml_example_line_for_a_folder_source_loads_when_uncommented()
    {
        var text = File.ReadAllText(RepoFiles.Path("pipeline.yaml"));
        const string line = "  # folder: { path: <folder>, images: images, masks: masks, background: [0], ignore: [], test_fraction: 0.2 } for source:";
        Assert.Contains(line, text);
        Directory.CreateDirectory(_dir["pets/images"]);
        Directory.CreateDirectory(_dir["pets/masks"]);
        var c = LoadText(text.Replace("  source: oxford ", "  source: folder ", StringComparison.Ordinal)
            .Replace(line, "  folder: { path: pets, images: images, masks: masks, background: [0], ignore: [], test_fraction: 0.2 }", StringComparison.Ordinal));
        Assert.Equal((_dir["pets/images"], 0.2), (c.Dataset.Folder!.ImagesDir, c.Dataset.Folder.TestFraction));
    }

    public void Dispose() => _dir.Dispose();
}
