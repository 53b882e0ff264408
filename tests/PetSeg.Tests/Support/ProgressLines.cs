using PetSeg.Core;

namespace PetSeg.Tests.Support;

/// <summary>Collects the progress lines a run prints, so a test can assert what the user was told.</summary>
public sealed class ProgressLines : IProgressSink
{
    public readonly List<string> All = [];
    public void Info(string line) { lock (All) All.Add(line); }
    public IProgressBar Bar(string d, double t, ProgressUnit u) => NullProgressSink.Instance.Bar(d, t, u);
}

/// <summary>Small helpers shared by tests that start processes and servers.</summary>
public static class TestText
{
    /// <summary>How often <paramref name="what"/> occurs in <paramref name="text"/>.</summary>
    public static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>A loopback TCP port nothing listens on right now.</summary>
    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
