using PetSeg.Data.Download;
using PetSeg.Lab.Config;
using PetSeg.Lab.Stages;
using PetSeg.Data.Synthetic;
using YamlDotNet.RepresentationModel;
using PetSeg.Core;
using PetSeg.Workflow.Remote;

namespace PetSeg.Lab;

/// <summary>Loads pipeline.yaml, applies a profile overlay and validates every key, type and range.</summary>
public static class PipelineConfigLoader
{
    public const string DefaultFile = "pipeline.yaml";

    public static PipelineConfig Load(string file, string? profile = null)
    {
        if (Directory.Exists(file)) // a project folder given for its file
            file = File.Exists(Path.Combine(file, DefaultFile)) ? Path.Combine(file, DefaultFile)
                : throw new ConfigException($"{file}: a folder without a {DefaultFile}. Pass the file itself, or start a project there with `petseg init {file}`.");
        if (!File.Exists(file)) throw new ConfigException($"{file}: not found. Run from the project folder, pass --config <path>, or start a project here with `petseg init`.");
        var stream = YamlDocumentReader.Read(file);
        if (stream.Documents.Count == 0) // a touched file, or comments alone
            throw new ConfigException($"{file}: says nothing (empty, or comments only). `petseg init` writes the lab's pipeline (move this file away first); docs/configuration.md lists every section.");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException($"{file}:1:1: expected a mapping at the top level (dataset:, preprocess:, ...)");

        if (profile is not null)
        {
            var overlay = FindMapping(root, "profiles", profile)
                ?? throw new ConfigException($"{file}: profile '{profile}' is not defined under 'profiles:'{ClosestName.Suggestion(profile, ProfileNames(root))}. {(ProfileNames(root).Any() ? $"Defined: {string.Join(", ", ProfileNames(root))}" : "This file defines none: `petseg init` writes the demo and smoke profiles into a new project's file.")}");
            root = YamlOverlay.Merge(root, overlay);
        }
        return Bind(file, profile, root);
    }

    private static PipelineConfig Bind(string file, string? profile, YamlMappingNode root)
    {
        var top = new YamlSection(file, "", root, root.Start);
        // The sections first: "experimets:" is a misspelt section, not a missing 'experiments:' for the report to trip on.
        top.Declare("profiles", "artifacts", "dataset", "preprocess", "weights", "training", "experiments", "report", "remote", "remotes", "cluster", "compute");
        top.RejectUnknown();
        top.Section("profiles"); // declared, already applied
        var artifacts = top.String("artifacts", "artifacts")!;
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (File.Exists(Path.Combine(baseDir, artifacts)))
            throw top.Error("artifacts", $"'{artifacts}' is a file ({Path.GetFullPath(Path.Combine(baseDir, artifacts))}), not a folder: name a folder for the outputs");

        var ds = top.Section("dataset");
        var source = ds.Choice("source", "oxford", "oxford", "synthetic", "folder");
        var files = ds.Section("files");
        var images = RemoteFileSection.Bind(files.Section("images"), "images.tar.gz", OxfordPetSources.Images);
        var annotations = RemoteFileSection.Bind(files.Section("annotations"), "annotations.tar.gz", OxfordPetSources.Annotations);
        files.RejectUnknown();
        var syn = ds.Section("synthetic");
        var d = new SyntheticPetOptions();
        var synthetic = new SyntheticPetOptions
        {
            Count = syn.Int("count", d.Count, SyntheticPetOptions.MinCount, SyntheticPetOptions.MaxCount),
            Seed = syn.Int("seed", d.Seed),
            MinWidth = syn.Int("min_width", d.MinWidth, SyntheticPetOptions.MinSide, SyntheticPetOptions.MaxSide),
            MaxWidth = syn.Int("max_width", d.MaxWidth, SyntheticPetOptions.MinSide, SyntheticPetOptions.MaxSide),
            MinHeight = syn.Int("min_height", d.MinHeight, SyntheticPetOptions.MinSide, SyntheticPetOptions.MaxSide),
            MaxHeight = syn.Int("max_height", d.MaxHeight, SyntheticPetOptions.MinSide, SyntheticPetOptions.MaxSide),
            Quirks = syn.Bool("quirks", d.Quirks),
        };
        if (synthetic.MinWidth > synthetic.MaxWidth) throw syn.Error("min_width", "must not exceed max_width");
        if (synthetic.MinHeight > synthetic.MaxHeight) throw syn.Error("min_height", "must not exceed max_height");
        syn.RejectUnknown();
        var dl = ds.Section("download");
        var download = new DownloadOptions
        {
            MaxAttempts = dl.Int("max_attempts", 5, 1, 100),
            InitialBackoff = TimeSpan.FromSeconds(dl.Double("initial_backoff_seconds", 1, 0, 3600)),
            LocalFolders = ds.Folders("local", baseDir),
        };
        dl.RejectUnknown();
        var folder = FolderDatasetSection.Bind(ds.Section("folder"), baseDir, required: source == "folder");
        var labels = ds.Choice("labels", DatasetConfig.PetLabels, DatasetConfig.PetLabels, DatasetConfig.SpeciesLabels);
        if (labels == DatasetConfig.SpeciesLabels && source == "folder")
            throw ds.Error("labels", "labels by species come from Oxford-IIIT Pet's lists; a folder names its own classes with dataset.folder.classes");
        ds.RejectUnknown();
        var dataset = new DatasetConfig(source, images, annotations, synthetic, download) { Folder = folder, Labels = labels };

        var pp = top.Section("preprocess");
        double? tileScale = null;
        if (pp.Has("tiles"))
        {
            var tiles = pp.Section("tiles");
            tileScale = tiles.Double("scale", 1, 0.01, 8);
            tiles.RejectUnknown();
        }
        var preprocess = new PreprocessConfig(pp.Int("image_size", 224, 8, 4096), pp.Bool("skip_bad_samples", false), pp.Int("threads", 0, 0, 1024), tileScale);
        pp.RejectUnknown();
        var weights = ExperimentsBinder.BindWeights(top.Section("weights"), baseDir);
        var experiments = ExperimentsBinder.BindExperiments(top.Section("training"), top.Section("experiments"), preprocess.ImageSize, dataset.ClassNames.Count, tileScale);
        // A dataset split by subject validates by subject too, or the choice among runs would be flattered as the test would.
        if (folder?.SplitByGroup == true) experiments = [.. experiments.Select(e => e with { ValidationByGroup = e.HoldsOut })];
        var report = ExperimentsBinder.BindReport(top.Section("report"), experiments);
        var remotes = BindRemotes(top);
        var cluster = ClusterSection.Bind(top.Section("cluster"), StageIds.Kinds);
        var compute = ComputeSection.Bind(top.Section("compute"), baseDir);
        top.RejectUnknown();
        // An experiment's cluster: block applies to its own stages.
        cluster = cluster with { ByStage = experiments.SelectMany(e => new[] { (StageIds.Train(e.Id), e.Cluster), (StageIds.Evaluate(e.Id), e.Cluster) })
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal) };

        return new PipelineConfig(file, profile, Path.GetFullPath(Path.Combine(baseDir, artifacts)),
            dataset, preprocess, weights, experiments, report) { Remotes = remotes, Cluster = cluster, Compute = compute };
    }

    private static RemotesConfig BindRemotes(YamlSection top)
    {
        var section = top.Section("remotes");
        var all = new List<RemoteConfig>();
        foreach (var name in section.Keys())
        {
            var r = section.Section(name);
            var url = r.Required("url", "s3://bucket/prefix, file:///path or https://host/path");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !RemoteRegistry.Schemes.Contains(uri.Scheme))
                throw r.Error("url", $"'{url}' is not a remote URL; the schemes with a backend are {string.Join(", ", RemoteRegistry.Schemes.Select(x => x + "://"))}");
            if (uri.Scheme == "s3" && string.IsNullOrEmpty(uri.Host)) // an http(s) URL without a host is no URL at all
                throw r.Error("url", $"'{url}' names no bucket: s3://bucket/prefix");
            if (uri.UserInfo.Contains(':'))
                throw r.Error("url", $"holds a password, which would be committed with the file; give it as {RemoteVariables.Name(name, "PASSWORD")} or in ~/.netrc instead (docs/sharing.md)");
            var endpoint = r.String("endpoint");
            if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var e) || e.Scheme is not ("http" or "https")))
                throw r.Error("endpoint", $"'{endpoint}' is not an http(s) URL");
            foreach (var secret in new[] { "password", "token", "access_key_id", "secret_access_key", "aws_access_key_id", "aws_secret_access_key" })
                if (r.Has(secret))
                    throw r.Error(secret, $"a secret would be committed with the file; {RemoteRegistry.CredentialsHint(name, url)} (docs/sharing.md)");
            var profile = r.String("profile");
            if (profile is not null && uri.Scheme != "s3") throw r.Error("profile", "is an AWS profile, for s3:// remotes only");
            all.Add(new RemoteConfig(name, url, endpoint, r.String("region"), r.Bool("required", false), r.Bool("push", false), profile));
            r.RejectUnknown();
        }
        var fallback = top.String("remote");
        if (fallback is not null && all.All(r => r.Name != fallback))
            throw top.Error("remote", $"'{fallback}' is not defined under 'remotes:' (defined: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(r => r.Name)))})");
        return new RemotesConfig(all, fallback);
    }


    private static YamlMappingNode? FindMapping(YamlMappingNode root, string key, string sub) =>
        root.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == key).Value is YamlMappingNode m
            ? m.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == sub).Value as YamlMappingNode
            : null;

    private static IEnumerable<string> ProfileNames(YamlMappingNode root) =>
        root.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == "profiles").Value is YamlMappingNode m
            ? m.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!)
            : [];
}
