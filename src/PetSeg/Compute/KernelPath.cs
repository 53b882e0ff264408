namespace PetSeg.Compute;

/// <summary>
/// Which kernels compute, cheapest first; the self-check picks the first that passes. <see cref="OneDnn"/> is libtorch
/// as shipped. <see cref="PaddedNarrowConvolutions"/> computes every convolution with fewer than
/// <see cref="Convolution.NarrowChannels"/> output channels (the models' heads) with zero filters added up to that
/// many and keeps the real channels, because oneDNN's input-gradient kernels for few output channels are the ones seen
/// wrong (numerics.md; every wider case was right); the rest of the model is untouched. <see cref="OneDnnOff"/> switches
/// oneDNN off for the whole process (ATen's own kernels: correct, but a 3×3 ResNet convolution's step is ~16× slower).
/// </summary>
public enum KernelPath { OneDnn, PaddedNarrowConvolutions, OneDnnOff }
