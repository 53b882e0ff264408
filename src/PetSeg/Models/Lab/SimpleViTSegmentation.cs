using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;
using PetSeg.Models.Hooks;

namespace PetSeg.Models.Lab;

/// <summary>
/// The lab's SimpleViTSegmentation: patch embedding (rearrange, LayerNorm, Linear), learned positions, a stack of
/// encoder blocks, a per-patch LayerNorm+Linear head, and bilinear (align_corners=False) upsampling of the logit grid.
/// </summary>
public sealed class SimpleViTSegmentation : Module<Tensor, Tensor>, ITraceable
{
    private readonly Parameter pos_embedding;
    private readonly Sequential patch_embedding, transformer_encoder, segmentation_head;
    private readonly int _imageSize, _patchSize, _numClasses;

    public SimpleViTSegmentation(int imageSize, int patchSize, int numClasses, int dim, int depth, int numHeads, double mlpRatio, int channels = 3)
        : base(nameof(SimpleViTSegmentation))
    {
        if (imageSize % patchSize != 0) throw new ArgumentException($"image size {imageSize} is not divisible by the patch size {patchSize}");
        (_imageSize, _patchSize, _numClasses) = (imageSize, patchSize, numClasses);
        int grid = imageSize / patchSize, patchDim = channels * patchSize * patchSize;
        patch_embedding = Sequential(new PatchRearrange(patchSize), LayerNorm(patchDim), Linear(patchDim, dim));
        pos_embedding = Parameter(randn(1, grid * grid, dim));
        transformer_encoder = Sequential(Enumerable.Range(0, depth).Select(_ => (Module<Tensor, Tensor>)new TransformerEncoderBlock(dim, numHeads, mlpRatio)).ToArray());
        segmentation_head = Sequential(LayerNorm(dim), Linear(dim, numClasses));
        RegisterComponents();
    }

    public override Tensor forward(Tensor img)
    {
        long b = img.size(0), h = img.size(2), w = img.size(3);
        if (h != _imageSize || w != _imageSize)
            throw new ArgumentException($"input is {h}×{w}, this SimpleViT was built for {_imageSize}×{_imageSize}");
        using var scope = NewDisposeScope();
        var x = patch_embedding.call(img).Plus(pos_embedding);
        x = segmentation_head.call(transformer_encoder.call(x));
        int grid = _imageSize / _patchSize;
        x = x.view(b, grid, grid, _numClasses).permute(0, 3, 1, 2);
        return BilinearResize.Apply(x, h, w, alignCorners: false).MoveToOuterDisposeScope();
    }

    public IReadOnlyList<(string Name, Tensor Output)> Trace(Tensor input)
    {
        var embedded = patch_embedding.call(input);
        var traced = new List<(string, Tensor)> { ("patch_embedding", embedded) };
        var x = embedded.Plus(pos_embedding);
        int i = 0;
        foreach (var block in transformer_encoder.children().Cast<Module<Tensor, Tensor>>())
        {
            x = block.call(x);
            traced.Add(($"transformer_encoder.{i++}", x));
        }
        traced.Add(("segmentation_head", segmentation_head.call(x)));
        traced.Add(("logits", forward(input)));
        return traced;
    }
}
