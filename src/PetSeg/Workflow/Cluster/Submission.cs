using System.Text.Json;
using PetSeg.IO;

namespace PetSeg.Workflow.Cluster;

/// <summary>
/// What <c>petseg submit</c> did, kept in <c>artifacts/cluster/&lt;id&gt;/submission.json</c> beside the job scripts
/// and logs, so <c>--wait</c>, <c>cancel</c> and a curious user can find every job again.
/// </summary>
public sealed record Submission(string Id, string Target, DateTimeOffset Created, IReadOnlyList<SubmittedJob> Jobs)
{
    private static readonly JsonSerializerOptions Json = JsonFiles.Options(indented: true);

    public static string Root(string artifactsDir) => Path.Combine(artifactsDir, "cluster");
    public string Folder(string artifactsDir) => Path.Combine(Root(artifactsDir), Id);

    public void Save(string artifactsDir)
    {
        AtomicFile.WriteAllText(Path.Combine(Folder(artifactsDir), "submission.json"), JsonSerializer.Serialize(this, Json) + "\n");
        AtomicFile.WriteAllText(Path.Combine(Root(artifactsDir), "latest"), Id + "\n");
    }

    /// <summary>The most recent submission of this workspace, or null.</summary>
    public static Submission? Latest(string artifactsDir)
    {
        var latest = Path.Combine(Root(artifactsDir), "latest");
        if (!File.Exists(latest)) return null;
        var file = Path.Combine(Root(artifactsDir), File.ReadAllText(latest).Trim(), "submission.json");
        return File.Exists(file) ? JsonSerializer.Deserialize<Submission>(File.ReadAllText(file), Json) : null;
    }
}
