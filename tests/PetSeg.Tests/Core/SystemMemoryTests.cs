using System.Runtime.InteropServices;
using PetSeg.Core;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Core;

/// <summary>
/// The memory a process may still take, read as the kernel publishes it: procfs and the cgroup files of a Slurm job or
/// a container (v2 and v1), laid out in a folder as the kernel lays them out; then this process's own figures.
/// </summary>
// In the torch collection: the memory probe there resets this process's peak and trims its heap.
[Collection(TorchGlobalState.Name)]
public sealed class SystemMemoryTests : IDisposable
{
    private const long GiB = 1L << 30, MiB = 1L << 20;
    private readonly TempDir _dir = new();

    /// <summary>A /proc with 20 GiB available, a process of 300 MiB in <paramref name="cgroupLines"/>.</summary>
    private SystemMemory Machine(string cgroupLines)
    {
        Write("proc/meminfo", $"MemTotal:       25165824 kB\nMemFree:         1000000 kB\nMemAvailable:   {20 * GiB / 1024} kB\n");
        Write("proc/self/status", $"Name:\tpetseg\nVmHWM:\t  {400 * MiB / 1024} kB\nVmRSS:\t  {300 * MiB / 1024} kB\n");
        Write("proc/self/cgroup", cgroupLines);
        Directory.CreateDirectory(_dir["cgroup"]);
        return new SystemMemory(_dir["proc"], _dir["cgroup"]);
    }

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_dir[path])!);
        File.WriteAllText(_dir[path], text);
    }

    [Fact]
    public void Without_a_cgroup_limit_the_room_is_the_systems_available_memory()
    {
        var memory = Machine("0::/user.slice/session-1.scope\n");
        Write("cgroup/user.slice/session-1.scope/memory.max", "max\n");
        Write("cgroup/user.slice/session-1.scope/memory.current", $"{5 * GiB}\n");
        var room = memory.Room(cap: null)!;
        Assert.Equal(20 * GiB, room.Bytes);
        Assert.Equal("MemAvailable in /proc/meminfo", room.Source);
        Assert.Equal(300 * MiB, memory.ResidentBytes());
        Assert.Equal(400 * MiB, memory.PeakResidentBytes());
    }

    [Fact]
    public void A_slurm_jobs_v2_limit_on_an_ancestor_counts_less_the_page_cache_it_may_drop()
    {
        var memory = Machine("0::/system.slice/slurmstepd.scope/job_7/step_0/user/task_0\n");
        Write("cgroup/system.slice/slurmstepd.scope/job_7/memory.max", $"{4 * GiB}\n");
        Write("cgroup/system.slice/slurmstepd.scope/job_7/memory.current", $"{3 * GiB}\n");
        Write("cgroup/system.slice/slurmstepd.scope/job_7/memory.stat", $"anon {2 * GiB - 1}\nfile {GiB}\ninactive_file {GiB}\nactive_file 0\n");
        Write("cgroup/system.slice/slurmstepd.scope/job_7/step_0/user/task_0/memory.max", "max\n");
        var room = memory.Room(cap: null)!;
        Assert.Equal(2 * GiB, room.Bytes); // 4 GiB less 3 GiB charged, 1 GiB of it droppable cache
        Assert.Equal("the cgroup limit of 4.0 GiB (" + _dir["cgroup/system.slice/slurmstepd.scope/job_7/memory.max"] + "), 2.0 GiB of it in use", room.Source);
    }

    [Fact]
    public void A_v1_memory_cgroup_limit_is_read_over_its_hierarchy()
    {
        var memory = Machine("12:pids:/slurm/uid_0/job_9\n4:memory:/slurm/uid_0/job_9\n0::/\n");
        Write("cgroup/memory/slurm/uid_0/job_9/memory.limit_in_bytes", "9223372036854771712\n"); // none of its own ...
        Write("cgroup/memory/slurm/uid_0/job_9/memory.usage_in_bytes", $"{GiB + 256 * MiB}\n");
        Write("cgroup/memory/slurm/uid_0/job_9/memory.stat", $"cache 0\nhierarchical_memory_limit {2 * GiB}\ntotal_inactive_file {256 * MiB}\n"); // ... but its parent's
        var room = memory.Room(cap: null)!;
        Assert.Equal(GiB, room.Bytes);
        Assert.StartsWith("the cgroup limit of 2.0 GiB (", room.Source);
    }

    [Fact]
    public void A_users_cap_is_a_limit_on_this_process_and_a_wrong_one_is_named()
    {
        var memory = Machine("0::/\n");
        var room = memory.Room(cap: "1GiB")!;
        Assert.Equal(GiB - 300 * MiB, room.Bytes);
        Assert.Equal("PETSEG_MEMORY_LIMIT=1GiB", room.Source);
        Assert.Equal(0, memory.Room(cap: "200M")!.Bytes); // already over it
        var e = Assert.Throws<ConfigException>(() => memory.Room(cap: "lots"));
        Assert.Equal("PETSEG_MEMORY_LIMIT=lots is not a size: write bytes or a number with a unit, e.g. 8GiB, 500MB or 2G", e.Message);
    }

    [Fact]
    public void Other_trainings_take_what_they_have_yet_to_take_and_their_share_of_a_cap()
    {
        var memory = Machine("0::/system.slice/slurmstepd.scope/job_7/step_0\n");
        Write("cgroup/system.slice/slurmstepd.scope/job_7/memory.max", $"{10 * GiB}\n");
        Write("cgroup/system.slice/slurmstepd.scope/job_7/memory.current", $"{2 * GiB}\n");
        Write("cgroup/system.slice/slurmstepd.scope/job_7/step_0/memory.max", "max\n");
        // A --jobs sibling in this job's cgroup, 1 GiB short of its measured peak; a training elsewhere, 3 GiB short; one at its peak.
        OtherTraining sibling = new(41, "train-unet-aug", PeakBytes: 3 * GiB, ResidentBytes: 2 * GiB, SameCgroup: true),
                      elsewhere = new(42, "train-segformer-base", PeakBytes: 4 * GiB, ResidentBytes: GiB, SameCgroup: false),
                      peaked = new(43, "train-simple-vit", PeakBytes: GiB, ResidentBytes: 2 * GiB, SameCgroup: false);

        // The machine: 20 GiB available less the 4 GiB the two growing ones will still take.
        var room = memory.Room(cap: null, [sibling, elsewhere, peaked])!;
        Assert.Equal(7 * GiB, room.Bytes); // the cgroup is tighter: 10 GiB less 2 GiB charged, less the sibling's 1 GiB to come ... 
        Assert.Equal($"the cgroup limit of 10 GiB ({_dir["cgroup/system.slice/slurmstepd.scope/job_7/memory.max"]}), 2.0 GiB of it in use, " +
                     "less the 1.0 GiB that the training of pid 41 (train-unet-aug) has yet to take", room.Source);
        room = memory.Room(cap: null, [elsewhere, peaked])!; // ... and the others are not charged to it
        Assert.Equal(8 * GiB, room.Bytes);
        Assert.DoesNotContain("less", room.Source);
        Write("cgroup/system.slice/slurmstepd.scope/job_7/memory.max", "max\n");
        room = memory.Room(cap: null, [sibling, elsewhere, peaked])!;
        Assert.Equal(16 * GiB, room.Bytes);
        Assert.Equal("MemAvailable in /proc/meminfo, less the 4.0 GiB that 2 other trainings have yet to take: " +
                     "pid 41 (train-unet-aug) 1.0 GiB and pid 42 (train-segformer-base) 3.0 GiB", room.Source);

        // A cap is the trainings' together: each takes its peak, or what it holds where that is more.
        room = memory.Room(cap: "8GiB", [sibling, peaked])!;
        Assert.Equal(8 * GiB - 300 * MiB - 3 * GiB - 2 * GiB, room.Bytes);
        Assert.Equal("PETSEG_MEMORY_LIMIT=8GiB, shared with pid 41 (train-unet-aug) at 3.0 GiB and pid 43 (train-simple-vit) at 2.0 GiB", room.Source);

        // Were they ended: what they hold is free again, and the cap is this process's alone.
        Assert.Equal(20 * GiB + 5 * GiB, memory.Room(cap: null, [sibling, elsewhere, peaked], ended: true)!.Bytes);
        Assert.Equal(8 * GiB - 300 * MiB, memory.Room(cap: "8GiB", [sibling, peaked], ended: true)!.Bytes);
    }

    [Fact]
    public void A_process_is_named_by_its_pid_and_start_time_and_read_while_it_lives()
    {
        var memory = Machine("0::/user.slice\n");
        Write("proc/4242/stat", "4242 (dotnet (petseg)) S 1 4242 4242 0 -1 4194560 1 0 0 0 7 3 0 0 20 0 24 0 987654 4000000 2000\n");
        Write("proc/4242/status", $"Name:\tdotnet\nVmRSS:\t  {GiB / 1024} kB\n");
        Write("proc/4242/cgroup", "0::/user.slice\n");
        Assert.Equal(987654, memory.StartTimeOf(4242)); // field 22, counted after the name's last parenthesis
        Assert.Equal(GiB, memory.ResidentBytesOf(4242));
        Assert.Equal(memory.CgroupOf(null), memory.CgroupOf(4242));
        Assert.Null(memory.StartTimeOf(4243));
        Assert.Null(memory.ResidentBytesOf(4243));
        Assert.Null(memory.CgroupOf(4243));
        Assert.True(SystemMemory.This.StartTimeOf(Environment.ProcessId) > 0); // this machine's own
    }

    [Theory]
    [InlineData("8GiB", 8L << 30)]
    [InlineData("8G", 8L << 30)]
    [InlineData("1.5 GiB", 3L << 29)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("2gb", 2_000_000_000L)]
    [InlineData("64m", 64L << 20)]
    [InlineData("123456", 123456L)]
    [InlineData("1T", 1L << 40)]
    [InlineData("8 GB ", 8_000_000_000L)]
    [InlineData("eight", null)]
    [InlineData("8 GiBs", null)]
    [InlineData("-1G", null)]
    [InlineData("0", null)]
    [InlineData("", null)]
    public void Sizes_read_as_slurm_and_docker_write_them(string text, long? bytes) => Assert.Equal(bytes, SystemMemory.ParseSize(text));

    [Fact]
    public void Where_nothing_can_be_read_nothing_is_claimed()
    {
        var memory = new SystemMemory(_dir["no-proc"], _dir["no-cgroup"]);
        Assert.Null(memory.Room(cap: null));
        Assert.Null(memory.ResidentBytes());
        Assert.False(memory.ResetPeak());
    }

    [Fact]
    public void This_process_peak_is_reset_and_then_counts_what_it_touches()
    {
        var memory = SystemMemory.This;
        Assert.True(memory.ResetPeak(), "Linux ≥ 4.0 resets the peak through /proc/self/clear_refs");
        long before = memory.ResidentBytes()!.Value;
        Assert.InRange(memory.PeakResidentBytes()!.Value, before - 64 * MiB, before + 64 * MiB); // the peak starts over here
        const int size = 64 << 20; // small: the memory probe's tests measure this process too
        var block = Marshal.AllocHGlobal(size);
        try
        {
            for (int page = 0; page < size; page += 4096) Marshal.WriteByte(block, page, 1); // touched: resident
            Assert.True(memory.PeakResidentBytes() >= before + 56 * MiB, $"peak {memory.PeakResidentBytes() / MiB} MiB after touching 64 MiB at {before / MiB} MiB");
        }
        finally { Marshal.FreeHGlobal(block); }
        Assert.NotNull(memory.Room(cap: null)); // this machine says how much is left
    }

    public void Dispose() => _dir.Dispose();
}
