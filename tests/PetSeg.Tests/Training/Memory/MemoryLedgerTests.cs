using PetSeg.Core;
using PetSeg.Tests.Support;
using PetSeg.Training.Memory;

namespace PetSeg.Tests.Training.Memory;

/// <summary>
/// The machine's ledger of trainings' needs, against a /proc laid out as the kernel lays it out: what another training
/// recorded is read with what it holds now, an entry of an ended process (or of a reused pid) counts for nothing and is
/// removed, and checks take turns. (A training that waits beside another, or is refused even alone: MemoryRefusalTests.)
/// </summary>
public sealed class MemoryLedgerTests : IDisposable
{
    private const long GiB = 1L << 30, MiB = 1L << 20;
    private readonly TempDir _dir = new();
    private readonly MemoryLedger _ledger;
    private static readonly int Self = Environment.ProcessId;

    public MemoryLedgerTests()
    {
        Write("proc/meminfo", $"MemAvailable:   {20 * GiB / 1024} kB\n");
        Write("proc/self/status", $"VmRSS:\t  {300 * MiB / 1024} kB\n");
        Write("proc/self/cgroup", "0::/user.slice/session-3.scope\n");
        Process(Self, start: 100, rss: 300 * MiB, "0::/user.slice/session-3.scope\n");
        Process(4242, start: 200, rss: GiB, "0::/user.slice/session-3.scope\n"); // a sibling in this cgroup
        Process(4343, start: 300, rss: 2 * GiB, "0::/system.slice/other.scope\n");
        _ledger = new MemoryLedger(_dir["ledger"], new SystemMemory(_dir["proc"], _dir["cgroup"]));
    }

    private void Process(int pid, long start, long rss, string cgroup)
    {
        Write($"proc/{pid}/stat", $"{pid} (dotnet) S 1 {pid} {pid} 0 -1 4194560 1 0 0 0 7 3 0 0 20 0 24 0 {start} 4000000 2000\n");
        Write($"proc/{pid}/status", $"Name:\tdotnet\nVmRSS:\t  {rss / 1024} kB\n");
        Write($"proc/{pid}/cgroup", cgroup);
    }

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_dir[path])!);
        File.WriteAllText(_dir[path], text);
    }

    private string[] Entries() => Directory.GetFiles(_dir["ledger"], "*.json");

    [Fact]
    public void Another_trainings_need_is_read_with_what_it_holds_now_and_this_ones_is_not_counted()
    {
        using var sibling = _ledger.Record(4242, "train-unet-aug", 3 * GiB);
        using var elsewhere = _ledger.Record(4343, "train-segformer-base", 0); // bounded, not measured
        var own = _ledger.Record("train-unet-base", 2 * GiB);
        Assert.Equal(3, Entries().Length);
        var others = _ledger.Others().OrderBy(o => o.Pid).ToList();
        Assert.Equal([new OtherTraining(4242, "train-unet-aug", 3 * GiB, GiB, SameCgroup: true),
                      new OtherTraining(4343, "train-segformer-base", 0, 2 * GiB, SameCgroup: false)], others);
        Assert.Equal(2 * GiB, others[0].ToComeBytes);
        Assert.Equal(2 * GiB, others[1].ShareBytes); // it holds more than its (unmeasured) peak

        own.Dispose(); // the training ended: its entry is gone
        Assert.Equal(2, Entries().Length);
        Assert.Throws<InvalidOperationException>(() => _ledger.Record(4444, "train-gone", GiB));
    }

    [Fact]
    public void An_ended_process_or_a_reused_pid_counts_for_nothing_and_its_entry_is_removed()
    {
        _ledger.Record(4242, "train-unet-aug", 3 * GiB);
        _ledger.Record(4343, "train-segformer-base", 3 * GiB);
        File.WriteAllText(Path.Combine(_dir["ledger"], "4545.1.json"), "{\"pid\": 45"); // not the atomic writer's: nothing writes this
        Assert.Equal(3, Entries().Length);

        Process(4242, start: 999, rss: GiB, "0::/\n"); // the pid now names another process
        Directory.Delete(_dir["proc/4343"], recursive: true); // killed
        Assert.Empty(_ledger.Others());
        Assert.Empty(Entries());
    }

    [Fact]
    public void Checks_take_turns_and_a_waiting_one_is_told_whom_it_waits_for()
    {
        var told = new List<string>();
        var first = _ledger.Turn("checking the memory of train-unet-base", told.Add);
        var secondHasIt = new ManualResetEventSlim();
        var second = new Thread(() =>
        {
            using var turn = _ledger.Turn("checking the memory of train-unet-aug", told.Add);
            secondHasIt.Set();
        });
        second.Start();
        // A wait of a few seconds is said once, after two seconds of quiet (a bounded check takes milliseconds).
        Assert.False(secondHasIt.Wait(TimeSpan.FromSeconds(1)), "the second check went ahead while the first held the ledger");
        Assert.Empty(told);
        Assert.False(secondHasIt.Wait(TimeSpan.FromSeconds(2)), "the second check went ahead while the first held the ledger");
        first.Dispose();
        Assert.True(secondHasIt.Wait(TimeSpan.FromSeconds(20)), "the second check never got its turn");
        second.Join();
        var line = Assert.Single(told);
        Assert.StartsWith($"memory: waiting for another petseg process: 'checking the memory of train-unet-base', pid {Self} on ", line);
        Assert.EndsWith(" to finish its memory check", line);
    }

    public void Dispose() => _dir.Dispose();
}
