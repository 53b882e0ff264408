using PetSeg.Core;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Remote;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Runner;

/// <summary>
/// A command's use of its remote: opened on first use; one that cannot be used costs one warning and the command goes
/// on locally, unless the remote is required. Closed at the end of every command.
/// </summary>
/// <param name="configFile">The pipeline definition, named in messages that say where a remote is declared.</param>
internal sealed class RemoteSession(RemoteUse? use, ArtifactStore store, DigestCache digests, IProgressSink ui, string configFile) : IDisposable
{
    private RemoteCache? _remote;
    private bool _opened;

    public bool PushesResults => use?.Push == true;

    /// <summary>The remote cache, opened on first use; null when none is configured or it failed (and is not required).</summary>
    public RemoteCache? Cache
    {
        get
        {
            if (_opened || use is null) return _remote;
            _opened = true;
            try { _remote = new RemoteCache(RemoteRegistry.Open(use.Remote), store, digests, ui); }
            catch (RemoteUnavailableException e) { Failed(e); }
            return _remote;
        }
    }

    private void Failed(RemoteUnavailableException e)
    {
        var name = use!.Remote.Name;
        _remote?.Dispose();
        _remote = null;
        _opened = true;
        if (use.Remote.Required)
            throw new PipelineException($"remote '{name}' is required (required: true) but cannot be used: {e.Message}. " +
                $"Check its url/endpoint in {Path.GetFileName(configFile)}, the network, and the credentials ({RemoteRegistry.CredentialsHint(name, use.Remote.Url)}); or run with --no-remote.");
        ui.Info($"warning: remote '{name}' cannot be used ({e.Message}); working locally");
    }

    /// <summary>The stage's result from the remote, published locally; null when the remote lacks it, is down, or holds it damaged.</summary>
    public StoreEntry? TryPull(Stage stage, string key, CancellationToken ct)
    {
        if (Cache is not { } remote) return null;
        try
        {
            var entry = remote.PullAsync(key, ct).GetAwaiter().GetResult();
            if (entry is not null) ui.Info($"{stage.Id}: pulled from {remote.Description} ({Keys.Short(key)})");
            return entry;
        }
        catch (RemoteUnavailableException e) { Failed(e); return null; }
        catch (CorruptRemoteObjectException e) { ui.Info($"{stage.Id}: {e.Message}; computing it here instead"); return null; }
    }

    public bool Has(string key, CancellationToken ct)
    {
        if (Cache is not { } remote) return false;
        try { return remote.HasAsync(key, ct).GetAwaiter().GetResult(); }
        catch (RemoteUnavailableException e) { Failed(e); return false; }
    }

    public PushResult? TryPush(StoreEntry entry, CancellationToken ct)
    {
        if (Cache is not { } remote) return null;
        try { return remote.PushAsync(entry, ct).GetAwaiter().GetResult(); }
        catch (RemoteUnavailableException e) { Failed(e); return null; }
    }

    /// <summary>For push and pull, which need a remote: an unusable one is an error, not a warning.</summary>
    public RemoteCache Require()
    {
        if (use is null)
            throw new PipelineException($"no remote to use: declare one under 'remotes:' in {Path.GetFileName(configFile)} and name it with 'remote:', or pass --remote NAME");
        try { return _remote ??= new RemoteCache(RemoteRegistry.Open(use.Remote), store, digests, ui); }
        catch (RemoteUnavailableException e) { throw new PipelineException($"remote '{use.Remote.Name}' cannot be used: {e.Message}"); }
    }

    public void Dispose()
    {
        _remote?.Dispose();
        _remote = null;
        _opened = false;
    }
}
