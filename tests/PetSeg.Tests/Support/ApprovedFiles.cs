namespace PetSeg.Tests.Support;

/// <summary>
/// Approved-file snapshots (Verify is not on the registry): on a mismatch the received text is written next to the
/// test binaries, never into the source tree, and the failure names it so it can be diffed and, if right, copied over.
/// </summary>
public static class ApprovedFiles
{
    public static void AssertMatches(string approvedPath, string received)
    {
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == received) return;
        var dir = Path.Combine(AppContext.BaseDirectory, "received");
        Directory.CreateDirectory(dir);
        var receivedPath = Path.Combine(dir, Path.GetFileName(approvedPath).Replace(".approved", ".received"));
        File.WriteAllText(receivedPath, received);
        Assert.Fail($"{approvedPath} does not match; the received text is in {receivedPath}\n(diff them; if the change is right, copy it over the approved file)");
    }
}
