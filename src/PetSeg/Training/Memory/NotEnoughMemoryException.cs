using PetSeg.Core;

namespace PetSeg.Training.Memory;

/// <summary>A training refused before its first step because its measured peak does not fit in the memory left to it.</summary>
public sealed class NotEnoughMemoryException(string message, MemoryNeed need, MemoryRoom room) : PetSegException(message)
{
    public MemoryNeed Need { get; } = need;
    public MemoryRoom Room { get; } = room;
}
