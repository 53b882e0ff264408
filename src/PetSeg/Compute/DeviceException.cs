using PetSeg.Core;

namespace PetSeg.Compute;

/// <summary>The configured device cannot be used here (no CUDA libtorch, no such GPU, a bad libtorch folder): nothing is computed.</summary>
public sealed class DeviceException(string message) : PetSegException(message);
