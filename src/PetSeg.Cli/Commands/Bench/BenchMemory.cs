using PetSeg.Core;
using TorchSharp;

namespace PetSeg.Cli.Commands.Bench;

/// <summary>Where a benchmark's memory is: RSS and its breakdown (native heap, managed heap, finalizers, tensors).</summary>
internal static class BenchMemory
{
    public static double RssMiB() => Environment.WorkingSet / 1048576.0;

    /// <summary>Where the process's memory is: native heap in use and held (glibc), managed heap, finalizer queue.</summary>
    public static string MemoryBreakdown()
    {
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var native = NativeHeap.Usage();
        return $"RSS {RssMiB():F0} MiB, " +
               (native is null ? "" : $"native heap {native.InUseBytes / 1048576.0:F0} MiB in use of {(native.ArenaBytes + native.MappedBytes) / 1048576.0:F0}, ") +
               $"managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB (committed {gc.TotalCommittedBytes / 1048576.0:F0}), " +
               $"{gc.FinalizationPendingCount} objects awaiting finalizers, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections; " +
               $"tensors on this thread: {DisposeScopeManager.Statistics}";
    }
}
