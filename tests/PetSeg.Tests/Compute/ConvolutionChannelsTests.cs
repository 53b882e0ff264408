using PetSeg.Compute;

namespace PetSeg.Tests.Compute;

/// <summary>
/// Which convolutions compute with zero filters added (<see cref="Convolution.ComputedOutputChannels"/>): a pure
/// decision, checked here on every machine. That the padded computations give the unpadded values, and that they do
/// not crash where oneDNN would, is <c>EncoderFamilyTests</c>' training step of ResNet-50's blocks.
/// </summary>
public sealed class ConvolutionChannelsTests
{
    public static TheoryData<long, long> DivideByZeroPairs()
    {
        var data = new TheoryData<long, long>();
        foreach (var (i, o) in Convolution.OneDnnDivideByZeroChannels) { data.Add(i, o); data.Add(o, i); }
        return data;
    }

    [Theory]
    [MemberData(nameof(DivideByZeroPairs))]
    public void A_1x1_convolution_on_onednns_divide_by_zero_channels_gets_one_more_block_of_filters_either_way_round(long inChannels, long outChannels)
    {
        foreach (var path in Enum.GetValues<KernelPath>().Where(p => p != KernelPath.OneDnnOff))
        {
            Assert.Equal(outChannels + 16, Convolution.ComputedOutputChannels(inChannels, outChannels, 1, 1, 1, onednn: true, path));
            // The padded pair is off the list both ways, so its input gradient is safe too.
            Assert.DoesNotContain((inChannels, outChannels + 16), Convolution.OneDnnDivideByZeroChannels);
            Assert.DoesNotContain((outChannels + 16, inChannels), Convolution.OneDnnDivideByZeroChannels);
        }
        // Not where oneDNN does not compute (a GPU, float64, oneDNN switched off), nor for another kernel size.
        Assert.Equal(outChannels, Convolution.ComputedOutputChannels(inChannels, outChannels, 1, 1, 1, onednn: false, KernelPath.OneDnn));
        Assert.Equal(outChannels, Convolution.ComputedOutputChannels(inChannels, outChannels, 3, 3, 1, onednn: true, KernelPath.OneDnn));
    }

    [Fact]
    public void Other_convolutions_keep_their_channels_and_narrow_ones_are_padded_only_on_the_padded_path()
    {
        // ResNet-18/34's projections and the other ResNet-50 1×1 pairs ran on the faulty machine as they are.
        foreach (var (i, o) in new (long, long)[] { (64, 128), (128, 256), (256, 512), (64, 256), (256, 64), (512, 128), (128, 512), (512, 512) })
            Assert.Equal(o, Convolution.ComputedOutputChannels(i, o, 1, 1, 1, onednn: true, KernelPath.OneDnn));
        Assert.Equal(2, Convolution.ComputedOutputChannels(16, 2, 3, 3, 1, onednn: true, KernelPath.OneDnn));
        Assert.Equal(16, Convolution.ComputedOutputChannels(16, 2, 3, 3, 1, onednn: true, KernelPath.PaddedNarrowConvolutions));
        Assert.Equal(2, Convolution.ComputedOutputChannels(16, 2, 3, 3, 1, onednn: false, KernelPath.PaddedNarrowConvolutions));
        Assert.Equal(8, Convolution.ComputedOutputChannels(8, 8, 3, 3, 8, onednn: true, KernelPath.PaddedNarrowConvolutions)); // depthwise
    }
}
