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
        // The first Ctrl-C (SIGINT) or SIGTERM (kill, scancel, a job's time limit) stops at the end of the current step
        // and discards partial outputs; a second one kills at once, this process and the children it started.
        bool Stop(string how)
        {
            if (cts.IsCancellationRequested)
            {
                if (ChildProcess.KillAll() is > 0 and var n) System.Console.Error.WriteLine($"\nkilled ({how} again) with {n} child process(es); the next run removes what they left");
                return false;
            }
            System.Console.Error.WriteLine($"\nstopping ({how}): finishing the current step (again to kill)");
            cts.Cancel();
            return true;
        }
        // A child of `run --jobs` leaves Ctrl-C to its parent, which sends it one SIGTERM (see ChildProcess).
        ConsoleCancelEventHandler onCancel = (_, e) => e.Cancel = ChildProcess.IsStoppedByParent || Stop("Ctrl-C");
        System.Console.CancelKeyPress += onCancel;
        int? signalled = null;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
            c => { signalled = 143; c.Cancel = Stop("SIGTERM"); });
        // The terminal closed (an SSH connection dropped, a window shut): stop as on SIGTERM, so a training saves where it
        // got to, instead of dying at once with the epoch's batches lost and its work folder left. Its output has nowhere
        // to go any more (a write to a hung-up terminal fails), so it goes nowhere; train.log still gets its lines. A child
        // of `run --jobs` leaves it to its parent, which sends it one SIGTERM (a second signal would kill it at once).
        using var onHup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP,
            c => { signalled = 129; PetSeg.Cli.Console.DetachedOutput.Silence(); c.Cancel = ChildProcess.IsStoppedByParent || Stop("SIGHUP: the terminal closed"); });
        try
        {
            if (UsesTorch) PetSeg.Compute.TorchNativeLibrary.EnsureLoadable();
            return await RunAsync(settings, cts.Token);
        }
        catch (Exception e) when (e is PetSegException or IOException or UnauthorizedAccessException or InvalidDataException) // IOException: a full disk, a read-only folder
        {
            System.Console.Error.WriteLine($"error: {e.Message}");
            if (PetSeg.IO.DiskSpace.IsFull(e)) // a stage's failure says this itself; a pull, an export or a predict did not
                System.Console.Error.WriteLine("Make room on that disk and run again (`petseg gc --dry-run` says how much the store holds that no lock names any more).");
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
            return signalled ?? 130; // the shell's codes for a process ended by SIGTERM, SIGHUP and SIGINT
        }
        finally { System.Console.CancelKeyPress -= onCancel; }
    }
}
