using System.Globalization;
using System.Text.Json;
using PetSeg.Core;
using PetSeg.IO;

namespace PetSeg.Training.Memory;

/// <summary>
/// What the trainings on this machine were found to need: one small file per training that passed its memory check
/// (<c>PID.N.json</c>: its pid, start time, stage and measured peak), deleted when it ends. Each check reads the others'
/// entries, so trainings started side by side (<c>run --jobs</c>, two terminals) do not each count the same free memory:
/// a training still on its way to its peak is not yet out of <c>MemAvailable</c>. Checks take turns under the ledger's
/// lock, so two cannot both read the room before either records its need. An entry whose process has ended, or whose pid
/// now names another process, is ignored and removed: a killed training leaves nothing that counts. The ledger is this
/// user's (<c>$TMPDIR/petseg-memory-USER</c>, or <see cref="Variable"/>).
/// </summary>
/// <param name="folder">Where the entries and the lock live.</param>
/// <param name="memory">Where processes' sizes, start times and cgroups are read (tests point it at a /proc of their own).</param>
public sealed class MemoryLedger(string folder, SystemMemory memory)
{
    /// <summary>The ledger's folder, where the default (<c>$TMPDIR/petseg-memory-USER</c>) is not shared by the trainings that compete.</summary>
    public const string Variable = "PETSEG_MEMORY_LEDGER";

    public string Folder { get; } = folder;

    /// <summary>The ledger that <see cref="Variable"/> names, or this user's in the temp folder.</summary>
    public static MemoryLedger ForThisMachine() => new(
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } named ? named : Path.Combine(Path.GetTempPath(), $"petseg-memory-{Environment.UserName}"),
        SystemMemory.This);

    private static int _entries; // this process's entries (the test host trains on several threads)

    /// <summary>How long a check waits for its turn before it says so: a bounded check takes milliseconds, a measured one seconds.</summary>
    private static readonly TimeSpan QuietWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Waits until no other check is reading or recording (a wait beyond <see cref="QuietWait"/> is told to
    /// <paramref name="waiting"/>), and holds the ledger until disposed.
    /// </summary>
    /// <exception cref="IOException">The ledger's folder cannot be written.</exception>
    public IDisposable Turn(string purpose, Action<string> waiting) =>
        FileLock.Acquire(Path.Combine(Folder, "ledger.lock"), purpose, shared: false, wait: null,
            holders => waiting($"memory: waiting for {holders} to finish its memory check"), holders => new IOException(holders), QuietWait);

    /// <summary>The other trainings whose processes live, as they are now; the entries of ended ones are deleted.</summary>
    public IReadOnlyList<OtherTraining> Others()
    {
        if (!Directory.Exists(Folder)) return [];
        var ownCgroup = memory.CgroupOf(null);
        var others = new List<OtherTraining>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json"))
        {
            Entry? entry;
            try { entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(file), JsonFiles.Web()); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // removed meanwhile
            catch (JsonException) { entry = null; }
            if (entry is null) { AtomicFile.TryDelete(file); continue; } // cut short: written atomically, so never by a live training
            if (entry.Pid == Environment.ProcessId) continue; // this process's own memory is its resident size already
            if (memory.StartTimeOf(entry.Pid) != entry.StartTime || memory.ResidentBytesOf(entry.Pid) is not { } resident)
            {
                AtomicFile.TryDelete(file); // ended (killed, crashed): what it needed is free again
                continue;
            }
            others.Add(new OtherTraining(entry.Pid, entry.Label, entry.PeakBytes, resident, ownCgroup is not null && memory.CgroupOf(entry.Pid) == ownCgroup));
        }
        AtomicFile.RemoveOrphans(Folder);
        return others;
    }

    /// <summary>Records that this process's training <paramref name="label"/> will peak at <paramref name="peakBytes"/>, until disposed.</summary>
    public IDisposable Record(string label, long peakBytes) => Record(Environment.ProcessId, label, peakBytes);

    /// <summary>Records <paramref name="pid"/>'s training (tests record one for a process of their own).</summary>
    /// <exception cref="InvalidOperationException">The process does not live.</exception>
    public IDisposable Record(int pid, string label, long peakBytes)
    {
        var start = memory.StartTimeOf(pid) ?? throw new InvalidOperationException($"process {pid} does not live");
        var path = Path.Combine(Folder, $"{pid}.{Interlocked.Increment(ref _entries).ToString(CultureInfo.InvariantCulture)}.json");
        // Not fsynced: an entry is worthless after a reboot, and its process's start time no longer matches then.
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Entry(pid, start, label, peakBytes, DateTimeOffset.UtcNow), JsonFiles.Web()), durable: false);
        return new Removal(path);
    }

    /// <summary>One training's line in the ledger.</summary>
    /// <param name="StartTime">Its process's start time (<see cref="SystemMemory.StartTimeOf"/>): a reused pid is not it.</param>
    /// <param name="PeakBytes">The peak its check measured; 0 for a run bounded, not measured.</param>
    private sealed record Entry(int Pid, long StartTime, string Label, long PeakBytes, DateTimeOffset Since);

    /// <summary>Removes an entry when its training ends.</summary>
    private sealed class Removal(string path) : IDisposable
    {
        public void Dispose() => AtomicFile.TryDelete(path);
    }
}
