namespace PetSeg.Lab;

/// <summary>
/// The lab's pipeline.yaml as this build ships it (the repository's own file, embedded at build time, so the two never
/// differ) and the ignore lines a new project needs: what <c>petseg init</c> writes into a fresh folder, the way
/// <c>dvc init</c> starts a project — for users who installed the <c>petseg</c> tool rather than cloned the repository.
/// </summary>
public static class LabTemplate
{
    private const string Resource = "PetSeg.Lab.pipeline.yaml";

    /// <summary>The repository's pipeline.yaml: the lab's 14 experiments, its tables and the smoke and demo profiles.</summary>
    public static string PipelineYaml
    {
        get
        {
            using var stream = typeof(LabTemplate).Assembly.GetManifestResourceStream(Resource)
                ?? throw new InvalidOperationException($"{Resource} is not embedded in {typeof(LabTemplate).Assembly.GetName().Name}");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>The last profile of a project on one's own data: the lab on it at the demo's size, offline, in minutes.</summary>
    private const string QuickProfile = """
          quick:                        # petseg init --data: the lab on your data at 64×64, encoders pretrained here on synthetic pets
            preprocess:                 # (offline, no ImageNet download): a first look in minutes, not the figures to quote
              image_size: 64
            weights:
              source: pretrain
              pretrain: { count: 192, seed: 8, epochs: 3 }

        """;

    private const string SourceLine = "  source: oxford                # oxford (the real archives)";
    private const string FolderExample = "  # folder: { path: <folder>, images: images, masks: masks, background: [0], ignore: [], test_fraction: 0.2 } for source:";

    /// <summary>
    /// The lab's pipeline.yaml on a dataset of one's own (<c>petseg init --data</c>): <c>source: folder</c> and its
    /// <c>folder:</c> line in place of the commented example, and a <c>quick</c> profile for a first look at it offline
    /// (the demo's size and encoders); the demo and smoke profiles keep their synthetic pets.
    /// </summary>
    /// <param name="path">The folder as the file names it: relative to the project, or absolute.</param>
    /// <param name="testFolders">Whether it holds <c>train/{images,masks}</c> and <c>test/{images,masks}</c> rather than
    /// <c>images/</c> and <c>masks/</c> with the test split to choose.</param>
    public static string PipelineYamlOn(string path, bool testFolders = false) => PipelineYamlWith(quoted => testFolders
        ? $"{{ path: {quoted}, images: train/images, masks: train/masks, test_images: test/images, test_masks: test/masks, background: [0], ignore: [] }}"
        : $"{{ path: {quoted}, images: images, masks: masks, background: [0], ignore: [], test_fraction: 0.2 }}", path);

    /// <summary>As <see cref="PipelineYamlOn"/>, with the <c>folder:</c> mapping <paramref name="folder"/> makes of the quoted path (Pascal VOC's).</summary>
    public static string PipelineYamlWith(Func<string, string> folder, string path)
    {
        var yaml = PipelineYaml;
        if (!yaml.Contains(SourceLine, StringComparison.Ordinal) || !yaml.Contains(FolderExample, StringComparison.Ordinal))
            throw new InvalidOperationException("the embedded pipeline.yaml lacks the dataset lines init --data rewrites");
        var quoted = "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'"; // YAML's single-quoted scalar: any path as it is
        return yaml.Replace(SourceLine, "  source: folder                # oxford (the real archives)", StringComparison.Ordinal)
            .Replace(FolderExample, $"  folder: {folder(quoted)} # for source:", StringComparison.Ordinal)
            .TrimEnd('\n') + "\n" + QuickProfile;
    }

    /// <summary>
    /// What stays out of version control: the artifacts folder (outputs, store, caches; <paramref name="artifacts"/>
    /// relative to the project) and the profiles' locks (pipeline.lock itself is meant to be committed).
    /// </summary>
    public static IReadOnlyList<string> IgnoreLines(string artifacts) => [$"/{artifacts.Replace('\\', '/').Trim('/')}/", "pipeline.*.lock"];
}
