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

    /// <summary>
    /// What stays out of version control: the artifacts folder (outputs, store, caches; <paramref name="artifacts"/>
    /// relative to the project) and the profiles' locks (pipeline.lock itself is meant to be committed).
    /// </summary>
    public static IReadOnlyList<string> IgnoreLines(string artifacts) => [$"/{artifacts.Replace('\\', '/').Trim('/')}/", "pipeline.*.lock"];
}
