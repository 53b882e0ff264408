using PetSeg.Models;
using PetSeg.Models.Input;
using PetSeg.Training;
using PetSeg.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Cli.Commands.Bench;

/// <summary>
/// One model set up the way the trainer sets it up — on the device, Adam, the bf16 copy when training in bf16, the
/// trainer's own <see cref="TrainingStep"/> — with a random batch normalised as training feeds it (uint8 images on the
/// device through <see cref="ImageNetNormalize"/>). What <c>bench train-step</c> and <c>bench lab</c> both measure.
/// </summary>
internal sealed class StepRig : IDisposable
{
    public nn.Module<Tensor, Tensor> Model { get; }
    public Bf16Shadow? Shadow { get; }
    public TrainingStep Step { get; }
    /// <summary>The batch as the cache delivers it (uint8, on the device): what evaluation reads.</summary>
    public Tensor Images { get; }
    public Tensor X { get; }
    public Tensor Y { get; }
    private readonly AdamOptimizer _optimizer;

    public StepRig(ModelSpec spec, AdamSettings adam, bool bf16, int batch, Device device)
    {
        manual_seed(0);
        Model = ModelZoo.Create(spec);
        Model.to(device);
        _optimizer = new AdamOptimizer(Model.named_parameters(), adam);
        Shadow = bf16 ? new Bf16Shadow(Model, spec) : null;
        Step = new TrainingStep(Model, _optimizer, Shadow);
        int size = spec.ImageSize;
        Images = randint(0, 256, [batch, 3, size, size], dtype: ScalarType.Byte, device: device);
        X = ImageNetNormalize.Apply(Images);
        Y = randint(0, 2, [batch, size, size], dtype: ScalarType.Byte, device: device);
    }

    public void Dispose()
    {
        Shadow?.Dispose();
        _optimizer.Dispose();
        Model.Dispose();
        Images.Dispose();
        X.Dispose();
        Y.Dispose();
    }
}
