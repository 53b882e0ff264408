using PetSeg.Models.Encoders;
using PetSeg.Models.Input;
using static TorchSharp.torch;

namespace PetSeg.Models.Export;

/// <summary>
/// A trained model as one ONNX file that runs without libtorch (ONNX Runtime in a .NET app, OpenCV, TensorRT), with the
/// input contract and the argmax inside it. In: <c>image</c>, uint8 RGB [N,3,H,W]. Out: <c>logits</c>, float32
/// [N,classes,H,W], and <c>mask</c>, uint8 [N,H,W] (the class of each pixel: what <c>petseg predict</c> writes). Any N;
/// H and W as the model takes them (multiples of 32 with a MiT encoder, of 4 for SimpleUNet; SimpleViT's one size),
/// read when it runs. Every model: an encoder (ResNet or MiT) and a decoder (Unet or Segformer) as swappable parts, as
/// smp builds them, and the lab's two.
/// </summary>
public static class OnnxExport
{
    /// <param name="spec">The model as its checkpoint records it.</param>
    /// <param name="weights">Its state_dict.</param>
    /// <param name="flipAveraged">The logits averaged with the mirrored image's, mirrored back (an experiment's
    /// <c>tta: hflip</c>, as its evaluation computed them): the model twice in the graph, its weights once.</param>
    /// <param name="classNames">The classes' names by label for the metadata (the lab's: background, pet).</param>
    public static void Write(ModelSpec spec, IReadOnlyDictionary<string, Tensor> weights, string path, bool flipAveraged = false, IReadOnlyList<string>? classNames = null)
    {
        var names = classNames ?? Core.SegmentationLabels.Names;
        var model = spec.Architecture;
        var graph = new OnnxGraph(model);
        var layers = new OnnxLayers(graph, weights, model);
        bool vit = model == ModelZoo.SimpleVit;
        object height = vit ? spec.ImageSize : "H", width = vit ? spec.ImageSize : "W";
        var image = graph.Input("image", OnnxGraph.Uint8, "N", spec.InChannels, height, width);
        // ImageNetNormalize, in the same float32 arithmetic: (x − mean·255) · (1 / (std·255)).
        var x = graph.Node("Cast", [image], [("to", (long)OnnxGraph.Float)]);
        x = graph.Node("Sub", [x, graph.Constant("imagenet_mean_255", ImageNetNormalize.MeanTimes255, 1, 3, 1, 1)]);
        x = graph.Node("Mul", [x, graph.Constant("imagenet_inv_std_255", ImageNetNormalize.InverseStdTimes255, 1, 3, 1, 1)], output: "normalized");
        const string logits = "logits";
        if (!flipAveraged) Emit(layers, spec, x, logits);
        else
        {
            // FlipAveraged: (model(x) + flip(model(flip(x)))) · ½, flips along the width.
            var mirrored = layers.FlipWidth(Emit(layers, spec, layers.FlipWidth(x), null));
            graph.Node("Mul", [graph.Node("Add", [Emit(layers, spec, x, null), mirrored]), layers.Scalar(0.5f)], output: logits);
        }
        var argmax = graph.Node("ArgMax", [logits], [("axis", 1L), ("keepdims", 0L)]);
        graph.Node("Cast", [argmax], [("to", (long)OnnxGraph.Uint8)], output: "mask");
        graph.Output(logits, OnnxGraph.Float, "N", spec.Classes, height, width);
        graph.Output("mask", OnnxGraph.Uint8, "N", height, width);
        graph.Save(path, $"{spec} exported by petseg: image uint8 RGB [N,{spec.InChannels},H,W] → logits float32 [N,{spec.Classes},H,W], mask uint8 [N,H,W]",
            new Dictionary<string, string>
            {
                ["petseg.model"] = spec.ToString(),
                // What an app needs to feed it as petseg predict does: resize each image to this square, then the mask back.
                ["petseg.image_size"] = spec.ImageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["petseg.classes"] = spec.Classes == names.Count ? string.Join(", ", names.Select((n, i) => $"{i} {n}")) : spec.Classes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["petseg.tta"] = flipAveraged ? "hflip" : "none",
            }.Concat(spec.TileScale is { } scale // trained on tiles: scale each image by it, cut it into image_size² tiles, put their masks together
                ? [new KeyValuePair<string, string>("petseg.tile_scale", scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture))] : []).ToDictionary());
    }

    /// <summary>The model's graph from the normalised input to its logits (named <paramref name="output"/>, or a new name).</summary>
    private static string Emit(OnnxLayers layers, ModelSpec spec, string x, string? output)
    {
        var model = spec.Architecture;
        if (model == ModelZoo.SimpleUnet) return SimpleUNetOnnx.Emit(layers, x, output);
        if (model == ModelZoo.SimpleVit) return SimpleViTOnnx.Emit(layers, spec, x, output);
        // "unet-<encoder>" or "segformer-<encoder>", as ModelZoo names them.
        var dash = model.IndexOf('-');
        var (decoder, encoder) = (model[..dash], model[(dash + 1)..]);
        var features = EncoderRegistry.IsMit(encoder) ? MitOnnx.Features(layers, x) : ResNetOnnx.Features(layers, x);
        return decoder == "segformer" ? SegformerDecoderOnnx.Emit(layers, features, output) : UnetDecoderOnnx.Emit(layers, features, output);
    }
}
