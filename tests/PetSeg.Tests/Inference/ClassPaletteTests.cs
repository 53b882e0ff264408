using PetSeg.Inference;
using PetSeg.Tests.Support;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Inference;

public sealed class ClassPaletteTests
{
    [Fact]
    public void More_than_two_classes_are_drawn_in_Pascal_VOCs_colours_and_two_as_the_labs_figures()
    {
        var voc = VocPalette.Colours();
        var many = new ClassPalette(21);
        for (int label = 0; label < 256; label++)
            Assert.Equal(new Rgb24(voc[label].R, voc[label].G, voc[label].B), many[(byte)label]);
        Assert.Equal(0xE0E0C0, many.AsRgb()[255]); // VOC's border cream

        var two = new ClassPalette(2);
        Assert.Equal((new Rgb24(0, 0, 0), new Rgb24(255, 255, 255), new Rgb24(128, 128, 128)), (two[0], two[1], two[255]));
    }
}
