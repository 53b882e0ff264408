namespace PetSeg.Workflow.Cluster;

/// <summary>
/// Follows a submission's jobs through squeue. A job Slurm has forgotten (finished longer ago than its MinJobAge)
/// counts as completed when its stage is now fresh in the store, as failed otherwise.
/// </summary>
public sealed class SubmissionWatcher(Submission submission, SlurmClient slurm, Func<string, bool> stageIsFresh)
{
    public IReadOnlyList<JobState> Poll()
    {
        var known = slurm.Jobs(submission.Jobs.Select(j => j.JobId).Distinct().ToList()).ToDictionary(j => j.Id);
        return submission.Jobs.Select(j => known.TryGetValue(j.JobId, out var s)
            ? new JobState(j, s.State, s.Elapsed)
            : new JobState(j, stageIsFresh(j.Stage) ? "COMPLETED" : "UNKNOWN", "")).ToList();
    }

    /// <summary>The last lines of a job's log, for a failure message.</summary>
    public static string Tail(string log, int lines = 20) =>
        File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(lines)) : $"(no log at {log})";
}
