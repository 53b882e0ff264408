using System.Diagnostics;
using System.Text.Json;
using PetSeg.Workflow.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Store;

/// <summary>The refusal of a second command names the live holder: never a killed run, never "unknown".</summary>
public sealed class StoreLockTests : IDisposable
{
    private readonly TempDir _dir = new();
    private string Store => _dir["store"];
    private string NoteOf(int pid) => Path.Combine(Store, $".lock.owner.{pid}");
    private string[] Notes => Directory.GetFiles(Store, ".lock.owner.*");

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    private void WriteNote(int pid, string purpose)
    {
        Directory.CreateDirectory(Store);
        File.WriteAllText(NoteOf(pid), JsonSerializer.Serialize(new { pid, host = Environment.MachineName, purpose, since = DateTimeOffset.UtcNow }));
    }

    /// <summary>Holds the OS lock the way a process that has just started does: before its note exists.</summary>
    private FileStream LockWithoutNote()
    {
        Directory.CreateDirectory(Store);
        return new FileStream(Path.Combine(Store, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
    }

    [Fact]
    public void A_note_left_by_a_killed_run_is_not_shown_while_the_new_holder_writes_its_own()
    {
        var dead = DeadPid();
        WriteNote(dead, "petseg run report (killed)");
        using var holder = LockWithoutNote();
        // A thread of its own, not the pool's: with the suite's tests blocking pool threads, a pooled writer started
        // after the 2-second grace (seen once in a full run) and the refusal named no holder.
        var late = new Thread(() => { Thread.Sleep(300); WriteNote(Environment.ProcessId, "petseg run train-unet-base"); });
        late.Start();

        var e = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(Store, "petseg run report"));
        late.Join();
        Assert.Contains("'petseg run train-unet-base'", e.Message);
        Assert.Contains($"pid {Environment.ProcessId} on {Environment.MachineName}", e.Message);
        Assert.DoesNotContain($"pid {dead}", e.Message);
    }

    [Fact]
    public void A_holder_that_never_names_itself_is_not_replaced_by_a_dead_pid()
    {
        var dead = DeadPid();
        WriteNote(dead, "petseg run report (killed)");
        using var holder = LockWithoutNote();

        var e = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(Store, "petseg gc"));
        Assert.Contains("another petseg process (it has not named itself)", e.Message);
        Assert.DoesNotContain(dead.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public async Task Of_two_simultaneous_starts_the_loser_names_the_winner()
    {
        for (var round = 0; round < 5; round++)
        {
            using var start = new Barrier(2);
            using var refused = new ManualResetEventSlim();
            string Contender(string name)
            {
                start.SignalAndWait();
                try
                {
                    using var l = StoreLock.Acquire(Store, name);
                    // Hold it until the other one has looked: a fixed 500 ms hold failed in CI at the suite's busy start,
                    // the loser descheduled past it and finding no holder left to name.
                    Assert.True(refused.Wait(TimeSpan.FromSeconds(30)), "the other contender was never refused");
                    return "won";
                }
                catch (StoreLockedException e) { refused.Set(); return e.Message; }
            }
            var a = Task.Run(() => Contender("contender A"));
            var b = Task.Run(() => Contender("contender B"));
            var results = await Task.WhenAll(a, b);
            Assert.Single(results, r => r == "won");
            var loser = results.Single(r => r != "won");
            var winner = results[0] == "won" ? "contender A" : "contender B";
            Assert.Contains($"'{winner}', pid {Environment.ProcessId}", loser);
            Assert.Empty(Notes); // the winner removed its note when it let go
        }
    }

    public void Dispose() => _dir.Dispose();
}
