using PetSeg.Core;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

/// <summary>
/// Turns the library's expected failures (<see cref="PetSegException"/>, files that cannot be read or written, TorchSharp's native library
/// not loading on this system) into one clear message and exit code 1 (no stack trace).
/// </summary>
public abstract class GuardedCommand<TSettings> : AsyncCommand<TSettings> where TSettings : CommandSettings
{
    protected abstract Task<int> RunAsync(TSettings settings, CancellationToken ct);

    /// <summary>
    /// Whether the command computes with libtorch: its native library is then loaded (and a system that cannot load it
    /// diagnosed in one message) before the command starts. Commands that only read locks, stores and remotes say false
    /// and never load it.
    /// </summary>
    protected virtual bool UsesTorch => true;

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); System.Console.Error.WriteLine("\nstopping: finishing the current step (Ctrl-C again to kill)"); };
        System.Console.CancelKeyPress += onCancel;
        try
        {
            if (UsesTorch) PetSeg.Compute.TorchNativeLibrary.EnsureLoadable();
            return await RunAsync(settings, cts.Token);
        }
        catch (Exception e) when (e is PetSegException or IOException or UnauthorizedAccessException or InvalidDataException) // IOException: a full disk, a read-only folder
        {
            System.Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (PetSeg.Compute.TorchNativeLibrary.IsLoadFailure(e))
        {
            System.Console.Error.WriteLine($"error: {PetSeg.Compute.TorchNativeLibrary.Diagnose(e)}");
            return 1;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            System.Console.Error.WriteLine("cancelled; completed outputs are kept, partial ones were discarded.");
            return 130;
        }
        finally { System.Console.CancelKeyPress -= onCancel; }
    }
}
