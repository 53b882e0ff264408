using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Layers;

/// <summary><c>nn.Upsample(scale_factor, mode='bilinear')</c> through <see cref="BilinearResize"/> (no parameters, so no keys).</summary>
public sealed class BilinearUpsample(double scaleFactor, bool alignCorners) : Module<Tensor, Tensor>("Upsample")
{
    public override Tensor forward(Tensor x) =>
        BilinearResize.Apply(x, (long)Math.Floor(x.size(2) * scaleFactor), (long)Math.Floor(x.size(3) * scaleFactor), alignCorners);
}
