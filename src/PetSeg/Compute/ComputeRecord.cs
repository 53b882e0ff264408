namespace PetSeg.Compute;

/// <summary>What computed a result: recorded in entry.json, pipeline.lock, <c>exp show</c> and the report.</summary>
/// <param name="Verdict">"passed", "failed", or "unchecked" (numerics: off).</param>
/// <param name="Device">"cpu", "cuda:0", …; null in entries written before devices were recorded (they ran on the CPU).</param>
/// <param name="Libtorch">The libtorch that computed it (<see cref="LibTorchFolder.Describe"/>); null in entries written before it was recorded.</param>
/// <param name="Threads">libtorch's CPU threads: on the CPU a thread count changes float rounding, so bits are compared on as many; null in entries written before it was recorded.</param>
public sealed record ComputeRecord(string Cpu, string Backend, string Verdict, string? Device = null, string? Libtorch = null, int? Threads = null);
