using PetSeg.Compute;
using PetSeg.Models;
using PetSeg.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using PetSeg.Models.Layers;

namespace PetSeg.Tests.Compute;

/// <summary>
/// The numerics self-check exercised for real on any machine: a deliberately wrong kernel (<see cref="InjectedFault"/>:
/// the input gradient of the convolutions it hits comes back ×1.5) must be reported, make <c>auto</c> move to a path
/// that passes and say so once, make <c>strict</c> refuse, and stop everything when no path helps; on the kernels as
/// they are, <c>auto</c> keeps them wherever they pass.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class NumericsSelfCheckTests : IDisposable
{
    private readonly List<string> _warnings = [];

    public NumericsSelfCheckTests()
    {
        ComputeBackend.Reset();
        ComputeBackend.Configure(NumericsMode.Auto, _warnings.Add);
    }

    public void Dispose()
    {
        ComputeBackend.Fault = InjectedFault.None;
        ComputeBackend.Reset();
    }

    private static void Settle(NumericsMode mode, InjectedFault fault, bool bf16 = false)
    {
        ComputeBackend.Reset(mode);
        ComputeBackend.Fault = fault;
        ComputeBackend.EnsureChecked(bf16);
    }

    [Fact]
    public void A_wrong_narrow_convolution_is_found_and_auto_pads_it_and_says_so_once()
    {
        Settle(NumericsMode.Auto, InjectedFault.NarrowConvolutions);
        Assert.Equal(KernelPath.PaddedNarrowConvolutions, ComputeBackend.Path);
        Assert.Equal(2, ComputeBackend.Attempts.Count);
        var failed = ComputeBackend.Attempts[0].Failures.ToList();
        Assert.Contains(failed, r => r.Name.StartsWith("conv3x3 16→2", StringComparison.Ordinal) && r.Threads == 1 && !(r.InputGradient <= 0.4)); // or NaN: the real fault's, where it exists
        Assert.All(failed, r => Assert.True(r.Forward <= r.Tolerance && r.WeightGradient <= r.Tolerance, $"{r.Name}: only the input gradient is wrong"));
        Assert.DoesNotContain(failed, r => r.Name.Contains("32→32", StringComparison.Ordinal)); // wide convolutions are not hit
        Assert.True(ComputeBackend.Report!.Passed);
        Assert.Equal("passed", ComputeBackend.Record.Verdict);
        Assert.Equal(KernelPath.PaddedNarrowConvolutions.Name(), ComputeBackend.Record.Backend);
        var warning = Assert.Single(_warnings);
        Assert.StartsWith("warning: this CPU's default kernels fail the numerics self-check (conv3x3", warning);
        ComputeBackend.EnsureChecked(); // once per process: no second check, no second line
        Assert.Single(_warnings);
    }

    [Fact]
    public void A_fault_in_every_onednn_convolution_switches_onednn_off_and_back()
    {
        Assert.True(AtenContext.IsAvailable, "libtorch's oneDNN switch was not found in libtorch_cpu");
        Settle(NumericsMode.Auto, InjectedFault.OneDnn);
        Assert.Equal(KernelPath.OneDnnOff, ComputeBackend.Path);
        Assert.False(AtenContext.MkldnnEnabled);
        Assert.Equal(3, ComputeBackend.Attempts.Count);
        Assert.False(ComputeBackend.Attempts[1].Passed); // padding does not help a fault in every convolution
        ComputeBackend.Reset();
        Assert.True(AtenContext.MkldnnEnabled);
    }

    [Fact]
    public void The_cudnn_switches_are_found_by_name_and_a_missing_one_is_reported_not_thrown()
    {
        // compute.deterministic on CUDA goes through these; where a libtorch lacks them, training warns and goes on.
        Assert.True(AtenContext.TrySetBenchmarkCuDnn(false));
        Assert.True(AtenContext.TrySetDeterministicCuDnn(true));
        Assert.True(AtenContext.TrySetDeterministicCuDnn(false)); // libtorch's default again
        Assert.False(AtenContext.TrySet("_ZN2at7Context18setNoSuchSwitchEb", true));
    }

    [Fact]
    public void When_no_path_passes_auto_stops_with_the_failing_checks()
    {
        var e = Assert.Throws<NumericsException>(() => Settle(NumericsMode.Auto, InjectedFault.Everywhere));
        Assert.Contains("on every kernel path", e.Message);
        Assert.Contains("conv3x3 16→2 (Unet head) fp32 (1 thread): input gradient", e.Message);
        Assert.Contains("petseg doctor", e.Message);
        Assert.Equal("failed", ComputeBackend.Record.Verdict);
        Assert.Throws<NumericsException>(() => ComputeBackend.EnsureChecked()); // and stays refused
    }

    [Fact]
    public void Strict_refuses_a_failing_backend_and_keeps_its_kernels()
    {
        var e = Assert.Throws<NumericsException>(() => Settle(NumericsMode.Strict, InjectedFault.NarrowConvolutions));
        Assert.Contains("Nothing was computed", e.Message);
        Assert.Contains("numerics: auto", e.Message);
        Assert.Equal(KernelPath.OneDnn, ComputeBackend.Path);
        Assert.Single(ComputeBackend.Attempts);
    }

    [Fact]
    public void Off_checks_nothing_and_records_unchecked()
    {
        Settle(NumericsMode.Off, InjectedFault.Everywhere);
        Assert.Empty(ComputeBackend.Attempts);
        Assert.Equal(KernelPath.OneDnn, ComputeBackend.Path);
        Assert.Equal("unchecked", ComputeBackend.Record.Verdict);
    }

    [Fact]
    public void Without_a_fault_auto_keeps_the_default_kernels_wherever_they_pass()
    {
        Settle(NumericsMode.Auto, InjectedFault.None, bf16: true);
        var first = ComputeBackend.Attempts[0];
        Assert.Equal(KernelPath.OneDnn, first.Path);
        Assert.Contains(first.Results, r => r.Precision == "bf16");
        if (first.Passed)
        {
            Assert.Equal(KernelPath.OneDnn, ComputeBackend.Path);
            Assert.Single(ComputeBackend.Attempts);
            Assert.Empty(_warnings);
        }
        else // a machine with the oneDNN fault (AMD Zen 5, numerics.md): a correct path is in use and named
        {
            Assert.NotEqual(KernelPath.OneDnn, ComputeBackend.Path);
            Assert.True(ComputeBackend.Report!.Passed);
            Assert.Single(_warnings);
        }
        Assert.True(first.Duration < TimeSpan.FromSeconds(2), $"the self-check took {first.Duration.TotalMilliseconds:F0} ms");
    }

    /// <summary>
    /// The accelerator form of the check (what runs on cuda:N), driven here with the CPU as its device since CI has no GPU:
    /// the float64 reference on the CPU, the computation on the device, results labelled by the device and, with TF32,
    /// judged at TF32's tolerance; a fault on every convolution is found there too.
    /// </summary>
    [Fact]
    public void The_accelerator_check_compares_the_device_with_the_cpu_float64_reference_and_finds_a_fault()
    {
        ComputeBackend.Switch(KernelPath.PaddedNarrowConvolutions); // correct on every machine measured, the oneDNN-fault one included
        var healthy = NumericsCheck.RunOn(CPU, bf16: true, tf32: false);
        Assert.True(healthy.Passed, healthy.DescribeFailures());
        Assert.All(healthy.Results, r => Assert.Equal("cpu", r.Device));
        Assert.Contains(healthy.Results, r => r.Precision == "bf16");
        Assert.StartsWith("cpu (its kernels)", healthy.Accelerator);

        var tf32 = NumericsCheck.RunOn(CPU, bf16: false, tf32: true);
        Assert.All(tf32.Results, r => Assert.Equal(("tf32", NumericsCheck.Tf32Tolerance), (r.Precision, r.Tolerance)));
        Assert.EndsWith(", TF32)", tf32.Accelerator);

        ComputeBackend.Fault = InjectedFault.Everywhere;
        var faulty = NumericsCheck.RunOn(CPU, bf16: false, tf32: false);
        Assert.False(faulty.Passed);
        var wrong = faulty.Failures.First(r => r.Name.StartsWith("conv3x3 32→32", StringComparison.Ordinal));
        Assert.True(wrong.InputGradient > 0.4 && wrong.Forward <= wrong.Tolerance, wrong.Failure);
        Assert.Contains("conv3x3 16→2 (Unet head) fp32 (cpu): input gradient", faulty.DescribeFailures());
        Assert.DoesNotContain(faulty.Failures, r => r.Name.StartsWith("linear", StringComparison.Ordinal)); // only convolutions were made wrong
    }

    [Fact]
    public void Meta_and_off_check_nothing_on_a_device()
    {
        ComputeBackend.Fault = InjectedFault.Everywhere;
        ComputeBackend.EnsureChecked(new Device(DeviceType.META)); // shapes only: nothing is computed there, nothing to check
        Assert.Empty(ComputeBackend.Attempts);
        Settle(NumericsMode.Off, InjectedFault.Everywhere);
        ComputeBackend.EnsureChecked(CPU, bf16: true);
        Assert.Empty(ComputeBackend.Attempts);
        Assert.Equal("unchecked", ComputeBackend.RecordOn(CPU).Verdict);
    }

    [Fact]
    public void The_check_leaves_the_seeded_random_stream_and_the_thread_count_as_they_were()
    {
        int threads = get_num_threads();
        manual_seed(5);
        using var expected = rand(8);
        manual_seed(5);
        Settle(NumericsMode.Auto, InjectedFault.NarrowConvolutions);
        using var actual = rand(8);
        using (NewDisposeScope()) Assert.True(expected.equal(actual).all().ToBooleanKept());
        Assert.Equal(threads, get_num_threads());
    }

    [Fact]
    public void Nnpack_is_off_once_the_backend_has_settled_in_every_mode_and_on_again_after_a_reset()
    {
        // No self-check case exercises NNPACK, so it never computes (and never warns at small inference convolutions).
        foreach (var mode in new[] { NumericsMode.Auto, NumericsMode.Off })
        {
            ComputeBackend.Reset(mode);
            Assert.True(AtenContext.NnpackEnabled); // libtorch as shipped
            ComputeBackend.EnsureChecked();
            Assert.False(AtenContext.NnpackEnabled);
        }
        ComputeBackend.Reset();
        Assert.True(AtenContext.NnpackEnabled);
    }

    [Fact]
    public void A_narrow_conv2d_initialises_and_computes_as_nn_conv2d_on_the_default_kernels()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var reference = nn.Conv2d(32, 2, 1);
        manual_seed(11);
        using var narrow = new NarrowConv2d(32, 2, 1);
        Assert.True(reference.weight!.equal(narrow.Weight).all().ToBooleanKept() && reference.bias!.equal(narrow.Bias).all().ToBooleanKept());
        Assert.Equal(["bias", "weight"], narrow.state_dict().Keys.Order(StringComparer.Ordinal));
        var x = randn(2, 32, 8, 8);
        var (x1, x2) = (x.clone().requires_grad_(), x.clone().requires_grad_());
        var (y1, y2) = (reference.call(x1), narrow.call(x2));
        y1.sum().backward();
        y2.sum().backward();
        // Bit for bit: on the default path the layer is the same ATen call (1×1, which no fault measured touches).
        Assert.True(y1.equal(y2).all().ToBooleanKept());
        Assert.True(x1.grad!.equal(x2.grad!).all().ToBooleanKept());
        Assert.True(reference.weight.grad!.equal(narrow.Weight.grad!).all().ToBooleanKept());
    }

    /// <summary>
    /// What trains: a model's gradients with the fault injected are wrong under off and right under auto. SimpleUNet
    /// (its head a narrow 1×1 convolution): no BatchNorm, so float32 and float64 gradients agree to rounding.
    /// </summary>
    [Fact]
    public void Auto_makes_a_faulty_backend_train_with_correct_gradients()
    {
        var spec = new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32);
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(2, 3, 32, 32);
        var y = randint(0, 2, [2, 32, 32], dtype: ScalarType.Int64);
        Dictionary<string, Tensor> Gradients(NumericsMode mode, InjectedFault fault, ScalarType dtype)
        {
            Settle(mode, fault);
            manual_seed(7);
            var model = ModelZoo.Create(spec);
            ((nn.Module)model).to(dtype);
            model.train();
            PetSeg.Training.Losses.SegmentationLoss.CrossEntropy.Compute(model.call(x.to_type(dtype)), y).backward();
            return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.to_type(ScalarType.Float64));
        }
        static double RelativeNorm(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b, string name) =>
            (a[name].Minus(b[name]).norm() / b[name].norm()).ToDoubleKept();

        var reference = Gradients(NumericsMode.Off, InjectedFault.None, ScalarType.Float64); // no oneDNN in float64
        var wrong = Gradients(NumericsMode.Off, InjectedFault.NarrowConvolutions, ScalarType.Float32);
        var right = Gradients(NumericsMode.Auto, InjectedFault.NarrowConvolutions, ScalarType.Float32);
        foreach (var name in new[] { "dec_conv1.2.weight", "conv1.0.weight" }) // next to the head, and the first layer
        {
            Assert.True(RelativeNorm(wrong, reference, name) > 0.3, $"{name}: the injected fault did not reach training ({RelativeNorm(wrong, reference, name):E2})");
            Assert.True(RelativeNorm(right, reference, name) < 1e-4, $"{name}: auto trained with wrong gradients ({RelativeNorm(right, reference, name):E2})");
        }
        Assert.True(RelativeNorm(wrong, reference, "out_conv.weight") < 1e-4); // only input gradients are wrong, as measured
    }
}
