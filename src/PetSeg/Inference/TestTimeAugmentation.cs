namespace PetSeg.Inference;

/// <summary>What evaluation and prediction average over (<c>tta:</c> in pipeline.yaml, <c>--tta</c> on predict and score).</summary>
public enum TestTimeAugmentation
{
    /// <summary>One forward pass per image: the lab's evaluation.</summary>
    None,

    /// <summary>The image and its left-right mirror (<see cref="FlipAveraged"/>): two forward passes per image.</summary>
    HorizontalFlip,
}

public static class TestTimeAugmentations
{
    /// <summary>The names pipeline.yaml and the command line use.</summary>
    public const string NoneName = "none", HorizontalFlipName = "hflip";

    public static readonly string[] Names = [NoneName, HorizontalFlipName];

    public static TestTimeAugmentation Parse(string name) => name switch
    {
        NoneName => TestTimeAugmentation.None,
        HorizontalFlipName => TestTimeAugmentation.HorizontalFlip,
        _ => throw new ArgumentException($"unknown test-time augmentation '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
    };

    public static string Name(this TestTimeAugmentation tta) => tta == TestTimeAugmentation.HorizontalFlip ? HorizontalFlipName : NoneName;

    /// <summary>One line for logs: what the averaging is and what it costs.</summary>
    public static string Describe(this TestTimeAugmentation tta) => tta == TestTimeAugmentation.HorizontalFlip
        ? "test-time augmentation: the mean of each image's logits and its mirror image's (tta: hflip; two forward passes per image)"
        : "no test-time augmentation";
}
