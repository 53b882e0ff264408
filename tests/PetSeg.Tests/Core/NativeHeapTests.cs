using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Core;

/// <summary>Once configured, libtorch's large tensors come from glibc's heap, not from a fresh mmap each.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class NativeHeapTests
{
    [Fact]
    public void Large_tensors_are_served_from_the_kept_heap_not_from_new_mappings()
    {
        Assert.True(OperatingSystem.IsLinux(), "the suite runs on Linux (glibc)");
        Assert.Equal("kept", NativeHeap.Configure());
        Assert.Equal("kept", NativeHeap.Configure()); // once per process

        // 48 MB: over glibc's largest mmap threshold (32 MB), so by default a mapping of its own; under the 64 MB of a
        // per-thread heap, so the kept heap serves it on whichever thread runs the test.
        long mappedBefore = NativeHeap.Usage()!.MappedBytes;
        using (var big = empty(12L << 20, dtype: ScalarType.Float32))
        {
            big.fill_(Scalars.Of(1.0));
            long mappedDuring = NativeHeap.Usage()!.MappedBytes;
            Assert.True(mappedDuring - mappedBefore < (16L << 20),
                $"mmapped bytes grew by {(mappedDuring - mappedBefore) >> 20} MB while a 48 MB tensor was alive");
        }
    }
}
