namespace PetSeg.Core;

/// <param name="ArenaBytes">Heap bytes glibc holds (in use or free) outside separate mappings.</param>
/// <param name="InUseBytes">Bytes in allocated blocks (both heap and mapped).</param>
/// <param name="MappedBytes">Bytes in blocks that have a mapping of their own.</param>
public sealed record NativeHeapUsage(long ArenaBytes, long InUseBytes, long MappedBytes);
