using PetSeg.Core;
namespace PetSeg.Workflow.Remote;

/// <summary>The <c>remotes:</c> section and which one is used by default (<c>remote:</c>).</summary>
public sealed record RemotesConfig(IReadOnlyList<RemoteConfig> All, string? Default)
{
    public static readonly RemotesConfig None = new([], null);

    /// <summary>The remote a command uses: the one named, else the default, else none.</summary>
    public RemoteConfig? Select(string? name, string file) => (name ?? Default) is not { } n ? null
        : All.FirstOrDefault(r => r.Name == n)
          ?? throw new ConfigException($"{file}: remote '{n}' is not defined under 'remotes:'{ClosestName.Suggestion(n, All.Select(r => r.Name))}. Defined: {(All.Count == 0 ? "none" : string.Join(", ", All.Select(r => r.Name)))}");
}
