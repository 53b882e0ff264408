using PetSeg.Training.Optim;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Training;

[Collection(TorchGlobalState.Name)]
public sealed class AdamOptimizerTests
{
    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.01)]
    [InlineData(true, 0.01)]
    public void Matches_torchsharps_pytorch_port_step_for_step(bool decoupled, double weightDecay)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var a = nn.Linear(6, 3);
        var b = nn.Linear(6, 3);
        b.load_state_dict(a.state_dict());
        var ours = new AdamOptimizer(a.named_parameters(), new AdamSettings(1e-2, WeightDecay: weightDecay, Decoupled: decoupled));
        TorchSharp.Modules.OptimizerHelper reference = decoupled
            ? optim.AdamW(b.parameters(), lr: 1e-2, weight_decay: weightDecay)
            : optim.Adam(b.parameters(), lr: 1e-2, weight_decay: weightDecay);
        for (int step = 0; step < 20; step++)
        {
            using var s = NewDisposeScope();
            var x = randn(8, 6);
            var y = randn(8, 3);
            ours.ZeroGrad();
            nn.functional.mse_loss(a.call(x), y).backward();
            ours.StepOnce();
            reference.zero_grad();
            nn.functional.mse_loss(b.call(x), y).backward();
            reference.step();
        }
        double diff = (a.weight! - b.weight!).abs().max().item<float>();
        Assert.True(diff < 1e-6, $"max |Δw| = {diff}");
        Assert.Equal(20, ours.Step);
    }
}
