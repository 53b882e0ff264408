using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Smp;

/// <summary>smp's <c>initialize_decoder</c> / <c>initialize_head</c>: what a freshly built model starts from.</summary>
internal static class SmpInit
{
    public static void Decoder(Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Conv2d c:
                    init.kaiming_uniform_(c.weight, a: 0, mode: init.FanInOut.FanIn, nonlinearity: init.NonlinearityType.ReLU);
                    if (c.bias is not null) init.zeros_(c.bias);
                    break;
                case BatchNorm bn: init.ones_(bn.weight); init.zeros_(bn.bias); break;
                case LayerNorm ln: init.ones_(ln.weight); init.zeros_(ln.bias); break;
                case Linear l:
                    init.xavier_uniform_(l.weight);
                    if (l.bias is not null) init.zeros_(l.bias);
                    break;
            }
        }
    }

    public static void Head(Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            if (m is Conv2d c) { init.xavier_uniform_(c.weight); if (c.bias is not null) init.zeros_(c.bias); }
            else if (m is NarrowConv2d n) { init.xavier_uniform_(n.Weight); init.zeros_(n.Bias); }
            else if (m is Linear l) { init.xavier_uniform_(l.weight); if (l.bias is not null) init.zeros_(l.bias); }
        }
    }
}
