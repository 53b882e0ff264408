using PetSeg.Models.Input;
using static TorchSharp.torch;

namespace PetSeg.Models.Export;

/// <summary>
/// A trained model as one ONNX file that runs without libtorch (ONNX Runtime in a .NET app, OpenCV, TensorRT): the
/// input contract and the argmax inside it. In: <c>image</c>, uint8 RGB [N,3,H,W]. Out: <c>logits</c>, float32
/// [N,classes,H,W], and <c>mask</c>, uint8 [N,H,W] (the class of each pixel: what <c>petseg predict</c> writes).
/// Any N; H and W as the model takes them (a multiple of 4 for SimpleUNet), read when it runs.
/// </summary>
public static class OnnxExport
{
    /// <summary>The models that have an ONNX graph here: the Unet on every ResNet, and the lab's SimpleUNet.</summary>
    public static bool Supports(string model) => model == ModelZoo.SimpleUnet || model.StartsWith("unet-resnet", StringComparison.Ordinal);

    public static string SupportedModels => "unet-resnet18, unet-resnet34, unet-resnet50, unet-resnet101, unet-resnet152 and simple-unet";

    /// <param name="model">The model's name (<see cref="ModelZoo"/>), as a checkpoint records it.</param>
    /// <param name="weights">Its state_dict.</param>
    public static void Write(string model, IReadOnlyDictionary<string, Tensor> weights, string path)
    {
        if (!Supports(model))
            throw new PetSeg.Core.PetSegException($"{model} has no ONNX export yet (only {SupportedModels}); its weights export as safetensors or pth");
        var graph = new OnnxGraph(model);
        var layers = new OnnxLayers(graph, weights, model);
        var image = graph.Input("image", OnnxGraph.Uint8, "N", 3, "H", "W");
        // ImageNetNormalize, in the same float32 arithmetic: (x − mean·255) · (1 / (std·255)).
        var x = graph.Node("Cast", [image], [("to", (long)OnnxGraph.Float)]);
        x = graph.Node("Sub", [x, graph.Constant("imagenet_mean_255", ImageNetNormalize.MeanTimes255, 1, 3, 1, 1)]);
        x = graph.Node("Mul", [x, graph.Constant("imagenet_inv_std_255", ImageNetNormalize.InverseStdTimes255, 1, 3, 1, 1)], output: "normalized");
        var logits = model == ModelZoo.SimpleUnet ? SimpleUNetOnnx.Emit(layers, x, "logits") : UnetOnnx.Emit(layers, x, "logits");
        var classes = layers.Get(model == ModelZoo.SimpleUnet ? "out_conv.weight" : "segmentation_head.0.weight").shape[0];
        var argmax = graph.Node("ArgMax", [logits], [("axis", 1L), ("keepdims", 0L)]);
        graph.Node("Cast", [argmax], [("to", (long)OnnxGraph.Uint8)], output: "mask");
        graph.Output("logits", OnnxGraph.Float, "N", classes, "H", "W");
        graph.Output("mask", OnnxGraph.Uint8, "N", "H", "W");
        graph.Save(path, $"{model} exported by petseg: image uint8 RGB [N,3,H,W] → logits float32 [N,{classes},H,W], mask uint8 [N,H,W]");
    }
}
