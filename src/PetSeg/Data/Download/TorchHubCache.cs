namespace PetSeg.Data.Download;

/// <summary>
/// Where PyTorch keeps the weights it downloaded (<c>torch.hub.get_dir()/checkpoints</c>: <c>$TORCH_HOME/hub</c>, else
/// <c>$XDG_CACHE_HOME/torch/hub</c>, else <c>~/.cache/torch/hub</c>): torchvision's <c>resnet34-b627a593.pth</c> is
/// there for anyone who has loaded a pretrained ResNet-34, and the weights stage takes it from there when it verifies.
/// </summary>
public static class TorchHubCache
{
    /// <param name="environment">The environment (a parameter so tests need not change the process's).</param>
    public static string Checkpoints(Func<string, string?> environment)
    {
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;
        var hub = Env("TORCH_HOME") is { } torchHome ? Path.Combine(torchHome, "hub")
            : Path.Combine(Env("XDG_CACHE_HOME") ?? Path.Combine(Env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "torch", "hub");
        return Path.Combine(hub, "checkpoints");
    }
}
