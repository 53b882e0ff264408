using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Compute;

/// <summary>
/// The backend's self-check: each computation in the shapes our models use (narrow heads, wide, strided and
/// depthwise convolutions, the MiT reduction, a transposed convolution, linear layers, BatchNorm and LayerNorm in train
/// mode, attention-sized batched matmuls) run forward and backward in fp32 (and bf16 when asked) and compared with
/// the same computation in float64: forward, input gradient, weight gradient. Each case runs on 1 thread, where the
/// measured oneDNN fault is deterministic, and on the process's thread count, where it comes and goes. Small sizes:
/// the whole check takes tens of milliseconds. It draws from a private generator and restores the thread count, so
/// it changes nothing a seeded run computes.
/// </summary>
public static class NumericsCheck
{
    /// <summary>fp32 against float64: rounding is ~1e-6 here; every fault measured was ≥ 0.1 or NaN.</summary>
    public const double Fp32Tolerance = 1e-3;

    /// <summary>
    /// bf16 (8-bit mantissa) against float64: 3e-3–8e-3 on correct convolutions, 3.5e-2 for a LayerNorm weight gradient
    /// (a bf16 sum over 128 rows); the faults measured in bf16 were 0.14–1.0 or NaN.
    /// </summary>
    public const double Bf16Tolerance = 1e-1;

    private sealed record Case(string Name, long[] X, long[] W, Func<Tensor, Tensor, Tensor> Op, bool Fp32Only = false);

    private static Func<Tensor, Tensor, Tensor> Conv(long stride = 1, long padding = 1, long groups = 1) =>
        (x, w) => Convolution.Conv2d(x, w, null, stride, padding, groups);

    private static readonly Case[] Cases = // each Op runs in its caller's dispose scope (Compute's)
    [
        new("conv3x3 16→2 (Unet head)", [2, 16, 16, 16], [2, 16, 3, 3], Conv()),
        // Few output channels from few input channels: in bf16 oneDNN is wrong here even padded to 16 outputs; no
        // model of ours computes such a convolution in bf16, so it is checked in fp32 only.
        new("conv3x3 8→1", [2, 8, 16, 16], [1, 8, 3, 3], Conv(), Fp32Only: true),
        new("conv3x3 8→4", [2, 8, 16, 16], [4, 8, 3, 3], Conv(), Fp32Only: true),
        new("conv3x3 16→16 (Unet last block)", [2, 16, 16, 16], [16, 16, 3, 3], Conv()),
        new("conv3x3 32→32", [2, 32, 16, 16], [32, 32, 3, 3], Conv()),
        // One image's deep feature map (predict, a last batch of one): libtorch gives a 3×3 convolution to oneDNN only
        // for batches above one or inputs above 20,480 elements, so this one computes with ATen's own kernel, which no
        // other case reaches.
        new("conv3x3 64→64, one 4×4 image", [1, 64, 4, 4], [64, 64, 3, 3], Conv()),
        new("conv3x3 stride 2 32→64", [2, 32, 16, 16], [64, 32, 3, 3], Conv(stride: 2)),
        new("conv1x1 32→2 (SimpleUNet head)", [2, 32, 16, 16], [2, 32, 1, 1], Conv(padding: 0)),
        new("conv1x1 256→2 (Segformer head)", [2, 256, 8, 8], [2, 256, 1, 1], Conv(padding: 0)),
        new("conv1x1 stride 2 32→64 (ResNet shortcut)", [2, 32, 16, 16], [64, 32, 1, 1], Conv(stride: 2, padding: 0)),
        new("conv4x4 stride 4 32→32 (MiT reduction)", [2, 32, 16, 16], [32, 32, 4, 4], Conv(stride: 4, padding: 0)),
        new("depthwise conv3x3 64 (MiT)", [2, 64, 16, 16], [64, 1, 3, 3], Conv(groups: 64)),
        new("transposed conv2x2 stride 2 64→32 (SimpleUNet)", [2, 64, 8, 8], [64, 32, 2, 2], (x, w) => F.conv_transpose2d(x, w, strides: [2, 2])),
        new("linear 64→2 (SimpleViT head)", [128, 64], [2, 64], (x, w) => F.linear(x, w)),
        new("linear 64→256", [128, 64], [256, 64], (x, w) => F.linear(x, w)),
        new("batchnorm train 16", [4, 16, 8, 8], [16], (x, w) => F.batch_norm(x, null, null, w, null, training: true)),
        new("layernorm 64", [128, 64], [64], (x, w) => F.layer_norm(x, [64], w, null)),
        new("attention matmul 8×64×32", [8, 64, 32], [8, 64, 32], (q, k) => q.matmul(k.transpose(1, 2)).softmax(-1).matmul(k)),
    ];

    /// <summary>
    /// fp32 with TF32 (a 10-bit mantissa for the operands of convolutions and matmuls, as CUDA computes them by default)
    /// against float64: 3.6e-4–6.2e-4 on these cases when their operands are rounded to TF32 (20 draws each, measured on the
    /// CPU); every fault measured on any backend was ≥ 0.1 or NaN.
    /// </summary>
    public const double Tf32Tolerance = 1e-2;

    /// <summary>Runs every case on the CPU's current <see cref="ComputeBackend.Path"/>: fp32, and bf16 too when <paramref name="bf16"/>.</summary>
    public static NumericsReport Run(bool bf16)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<NumericsCheckResult>();
        int threads = get_num_threads();
        using var noGradOff = enable_grad();
        using var generator = new Generator(20261204);
        NnpackSwitch.Off();
        try
        {
            foreach (var c in Cases)
            {
                using var scope = NewDisposeScope();
                // One float64 reference per case (no oneDNN in float64: the same at any thread count), then each
                // precision at 1 thread and at the process's threads.
                var (x, w, reference) = Reference(c, generator);
                foreach (var t in threads > 1 ? new[] { 1, threads } : [1])
                {
                    set_num_threads(t);
                    results.Add(Compare(c, x, w, reference, ScalarType.Float32, CPU, "fp32", Fp32Tolerance, t));
                    if (bf16 && !c.Fp32Only) results.Add(Compare(c, x, w, reference, ScalarType.BFloat16, CPU, "bf16", Bf16Tolerance, t));
                }
            }
        }
        finally
        {
            set_num_threads(threads);
        }
        return new NumericsReport(ComputeBackend.Path, results, clock.Elapsed);
    }

    /// <summary>
    /// Runs every case on an accelerator (<paramref name="device"/>, e.g. cuda:0) against the same float64 reference computed
    /// on the CPU: the inputs are drawn on the CPU and copied over, the results copied back. fp32 is checked as the device
    /// computes it: with TF32 when <paramref name="tf32"/> (and its tolerance), plus bf16 when asked. Thread counts do not
    /// apply. On the CPU itself this is the same check on the current kernel path at the process's threads.
    /// </summary>
    public static NumericsReport RunOn(Device device, bool bf16, bool tf32)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<NumericsCheckResult>();
        using var noGradOff = enable_grad();
        using var generator = new Generator(20261204);
        NnpackSwitch.Off();
        var (fp32Name, fp32Tolerance) = tf32 ? ("tf32", Tf32Tolerance) : ("fp32", Fp32Tolerance);
        foreach (var c in Cases)
        {
            using var scope = NewDisposeScope();
            var (x, w, reference) = Reference(c, generator);
            results.Add(Compare(c, x, w, reference, ScalarType.Float32, device, fp32Name, fp32Tolerance, get_num_threads()) with { Device = device.ToString() });
            if (bf16 && !c.Fp32Only)
                results.Add(Compare(c, x, w, reference, ScalarType.BFloat16, device, "bf16", Bf16Tolerance, get_num_threads()) with { Device = device.ToString() });
        }
        if (device.type == DeviceType.CUDA) cuda.synchronize();
        return new NumericsReport(ComputeBackend.Path, results, clock.Elapsed) { Accelerator = $"{device} ({AcceleratorKernels(device, tf32)})" };
    }

    /// <summary>What computes on an accelerator, as reports and records name it: "cuDNN/cuBLAS, TF32".</summary>
    public static string AcceleratorKernels(Device device, bool tf32) =>
        $"{(device.type == DeviceType.CUDA ? "cuDNN/cuBLAS" : "its kernels")}{(tf32 ? ", TF32" : "")}";

    /// <summary>A case's inputs and its float64 result on the CPU (float64 never runs on oneDNN: the same at any thread count).</summary>
    private static (Tensor X, Tensor W, Outcome Reference) Reference(Case c, Generator generator)
    {
        var x = randn(c.X, ScalarType.Float64, generator: generator);
        using var fanIn = (1.0 / Math.Sqrt(c.W.Skip(1).Aggregate(1L, (a, b) => a * b))).ToScalar();
        var w = randn(c.W, ScalarType.Float64, generator: generator).mul_(fanIn);
        return (x, w, Compute(c, x, w, null, ScalarType.Float64, CPU, generator));
    }

    private sealed record Outcome(Tensor Y, Tensor Dx, Tensor Dw, Tensor G);

    private static NumericsCheckResult Compare(Case c, Tensor x, Tensor w, Outcome reference, ScalarType dtype, Device device, string precision, double tolerance, int threads)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var ours = Compute(c, x, w, reference.G, dtype, device, null);
        static double Error(Tensor ours, Tensor reference)
        {
            var scale = reference.abs().max().ToDoubleKept();
            var e = ours.to(ScalarType.Float64, CPU).Minus(reference).abs().max().ToDoubleKept() / Math.Max(scale, 1e-30);
            return double.IsFinite(e) ? e : double.NaN;
        }
        return new NumericsCheckResult(c.Name, precision, threads, Error(ours.Y, reference.Y), Error(ours.Dx, reference.Dx), Error(ours.Dw, reference.Dw), tolerance)
            { Milliseconds = clock.Elapsed.TotalMilliseconds };
    }

    /// <summary>
    /// Forward and backward of one case in <paramref name="dtype"/> on <paramref name="device"/>, with the output gradient
    /// <paramref name="g"/> (drawn on the CPU from <paramref name="generator"/> when null: the reference).
    /// </summary>
    private static Outcome Compute(Case c, Tensor x, Tensor w, Tensor? g, ScalarType dtype, Device device, Generator? generator)
    {
        // Runs in its caller's dispose scope (Compare's, or Run's and RunOn's per case), which keeps its outcome.
        var xl = x.to(dtype, device).detach().requires_grad_();
        var wl = w.to(dtype, device).detach().requires_grad_();
        var y = c.Op(xl, wl);
        g ??= randn(y.shape, ScalarType.Float64, generator: generator);
        y.backward([g.to(dtype, device)]);
        return new Outcome(y.detach(), xl.grad!, wl.grad!, g);
    }
}
