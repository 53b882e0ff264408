using System.Text.RegularExpressions;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// The environment variables that carry one remote's secrets, named after the remote so that two remotes of one kind
/// (the lab's server and a personal bucket) can each have their own.
/// </summary>
public static class RemoteVariables
{
    /// <summary><c>PETSEG_REMOTE_TEAM_TOKEN</c> for remote "team" (anything but letters and digits becomes '_').</summary>
    public static string Name(string remote, string suffix) =>
        $"PETSEG_REMOTE_{Regex.Replace(remote.ToUpperInvariant(), "[^A-Z0-9]", "_")}_{suffix}";
}
