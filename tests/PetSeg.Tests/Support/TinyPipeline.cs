namespace PetSeg.Tests.Support;

/// <summary>
/// The smallest whole pipeline: 8 synthetic pairs at 32², one SimpleUNet epoch, synthetic encoder weights for an
/// untrained Segformer (MiT-b0: 14 MB of weights, where a ResNet-34 Unet's were 87 MB written, hashed, pushed and pulled
/// by a dozen test classes), a one-row report. Every stage kind runs in a few seconds.
/// </summary>
public static class TinyPipeline
{
    public const string Yaml = """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: 32 }
        weights: { source: synthetic }
        training: { epochs: 1, batch_size: 4 }
        experiments:
          tiny: { model: simple-unet, lr: 0.001 }
          untrained: { model: segformer-mit_b0, epochs: 0 }
        report:
          title: Tiny
          tables: [ { title: Tiny, rows: [ { label: Tiny, experiment: tiny } ] } ]
        """;
}
