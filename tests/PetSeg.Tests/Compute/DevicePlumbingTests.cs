using PetSeg.Compute;
using PetSeg.Models;
using PetSeg.Tests.Support;
using PetSeg.Training;
using PetSeg.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;
using PetSeg.Models.Input;
using PetSeg.Inference;

namespace PetSeg.Tests.Compute;

/// <summary>
/// Every tensor the training and prediction paths create is created on the model's device, tested without a GPU on
/// libtorch's <c>meta</c> device: it runs shapes through without computing, and an operation that mixes a meta tensor
/// with one created on the CPU fails. What runs there: the data path (uint8 batch → device → normalisation), Adam's
/// update and state, the bf16 copy (weights down, gradients and statistics back), and the predict path (input
/// moved to the model's device → normalise → forward → argmax). The models' own forward passes cannot: libtorch's C++
/// build has no meta kernels for convolutions, normalisation and the 2-D NLL loss (PyTorch registers those in Python);
/// the models create their few constants with the input's device, and run on CUDA on the GPU machine.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class DevicePlumbingTests
{
    private static readonly Device Meta = new(DeviceType.META);

    public static TheoryData<string> Models() => [.. ModelZoo.LabArchitectures, "unet-resnet50", "segformer-mit_b2"]; // and a Bottleneck ResNet, a deeper MiT

    [Theory]
    [MemberData(nameof(Models))]
    public void The_data_path_optimizer_average_and_bf16_copy_create_every_tensor_on_the_models_device(string architecture)
    {
        using var scope = NewDisposeScope();
        var spec = new ModelSpec(architecture, ImageSize: 64);
        manual_seed(1);
        var model = ModelZoo.Create(spec);
        model.to(Meta);
        var (images, masks) = DeviceTransfer.ToDevice((randint(0, 256, [4, 3, 64, 64], dtype: ScalarType.Byte), randint(0, 2, [4, 64, 64], dtype: ScalarType.Byte)), Meta);
        var input = ImageNetNormalize.Apply(images);
        Assert.Equal(DeviceType.META, input.device_type);

        Assert.Equal(DeviceType.META, masks.device_type);

        using var optimizer = new AdamOptimizer(model.named_parameters(), new AdamSettings(1e-3, WeightDecay: 0.01, Decoupled: true));
        using (no_grad())
            foreach (var p in model.parameters()) p.grad = zeros_like(p);
        optimizer.StepOnce();
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
        Assert.All(optimizer.StateDict(), s => Assert.Equal(DeviceType.META, s.Value.device_type));

        var average = ExponentialMovingAverage.For(model, spec, 0.99); // ema: the average lives beside the model too
        using (average.Model)
        {
            average.Update(1);
            Assert.All(average.Model.state_dict(), s => Assert.Equal(DeviceType.META, s.Value.device_type));
        }

        using var shadow = new Bf16Shadow(model, spec); // the bf16 copy lives beside the master
        var work = shadow.Prepare(training: true);
        Assert.All(work.parameters(), p => Assert.Equal((DeviceType.META, ScalarType.BFloat16), (p.device_type, p.dtype)));
        using (no_grad())
            foreach (var p in work.parameters()) p.grad = zeros_like(p);
        shadow.PushBack();
        Assert.All(model.parameters(), p => Assert.Equal((DeviceType.META, ScalarType.Float32), (p.grad!.device_type, p.grad.dtype)));
    }

    [Fact]
    public void The_losses_create_every_tensor_on_the_logits_device()
    {
        using var scope = NewDisposeScope();
        // Dice's forward (cross-entropy's 2-D NLL loss has no meta kernel; the backward is autograd's, made where the forward ran).
        var logits = empty([4, 2, 8, 8], device: Meta, requires_grad: true);
        var target = empty([4, 8, 8], dtype: ScalarType.Byte, device: Meta);
        var loss = PetSeg.Training.Losses.DiceLoss.Compute(logits, target);
        Assert.Equal((DeviceType.META, 0L, ScalarType.Float32), (loss.device_type, loss.dim(), loss.dtype));
    }

    /// <summary>A per-pixel linear classifier: a real model whose forward libtorch's meta device can run.</summary>
    private sealed class PixelClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear linear = nn.Linear(3, 2);
        public PixelClassifier() : base(nameof(PixelClassifier)) => RegisterComponents();
        public override Tensor forward(Tensor x) => linear.call(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2);
    }

    [Fact]
    public void A_prediction_from_host_images_runs_on_the_models_device()
    {
        using var scope = NewDisposeScope();
        using var model = new PixelClassifier();
        model.to(Meta);
        var predicted = ClassPredictor.PredictClasses(model, randint(0, 256, [2, 3, 16, 16], dtype: ScalarType.Byte));
        Assert.Equal(DeviceType.META, predicted.device_type);
        Assert.Equal([2L, 16, 16], predicted.shape);
    }

    [Fact]
    public void The_meta_device_catches_a_tensor_created_on_the_cpu()
    {
        // The check above can fail: a CPU constant (as ImageNetNormalize had) mixed into a meta batch throws.
        using var scope = NewDisposeScope();
        var batch = zeros([2, 3, 4, 4], device: Meta);
        var cpuConstant = tensor(new[] { 1f, 2f, 3f }).view(1, 3, 1, 1);
        Assert.ThrowsAny<Exception>(() => batch.Minus(cpuConstant));
    }

    [Fact]
    public void On_the_cpu_a_batch_is_not_copied()
    {
        using var scope = NewDisposeScope();
        var t = zeros(2, 2);
        Assert.Same(t, DeviceTransfer.ToDevice(t, CPU));
    }
}
