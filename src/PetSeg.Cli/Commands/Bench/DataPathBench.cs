using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Models.Input;
using PetSeg.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Cli.Commands.Bench;

[Description("Cache read + the lab's augmentation + normalize, images/s (what training consumes).")]
public sealed class DataPathBench : BenchCommand<BenchSettings.Data>
{
    /// <summary>Cache read + lab augmentation + normalize for shuffled batches of 16, images/s (what training consumes).</summary>
    protected override int Measure(BenchSettings.Data s, CancellationToken ct)
    {
        using var cache = BenchCache.Open(s.EnsureDataset(), s.CachePath, s.Size);
        var augmenter = new BatchAugmenter(AugmentationSettings.Lab);
        var rng = new Random(0);
        var idx = new int[16];
        var rates = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            int images = 0;
            for (int b = 0; b < 40; b++)
            {
                using var scope = NewDisposeScope();
                for (int k = 0; k < 16; k++) idx[k] = rng.Next(cache.Count);
                var (img, msk) = cache.ReadBatch(idx);
                (img, msk) = BatchAugmenter.Apply(img, msk, augmenter.Draw(rng, 16, cache.Width, cache.Height));
                var x = ImageNetNormalize.Apply(img);
                var y = msk.to_type(ScalarType.Int64);
                images += 16;
            }
            if (round > 0) rates.Add(images / sw.Elapsed.TotalSeconds);
        }
        rates.Sort();
        System.Console.WriteLine($"data-path: cache read + flip/brightness-contrast/shift-scale-rotate + normalize, batch 16 at {s.Size}×{s.Size}: " +
                                 $"median {rates[rates.Count / 2]:F0} images/s (min {rates[0]:F0}, max {rates[^1]:F0}), {torch.get_num_threads()} torch threads");
        return 0;
    }
}
