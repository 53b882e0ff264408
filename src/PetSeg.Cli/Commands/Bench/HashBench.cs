using System.ComponentModel;
using System.Diagnostics;
using PetSeg.IO;

namespace PetSeg.Cli.Commands.Bench;

[Description("Store hashing (XxHash128) of a 1 GiB file, GiB/s.")]
public sealed class HashBench : BenchCommand<BenchSettings>
{
    /// <summary>Store hashing (XxHash128) of a 1 GiB file, cold-ish and then from the page cache.</summary>
    protected override int Measure(BenchSettings s, CancellationToken ct)
    {
        var path = Path.Combine(s.WorkDir, "petseg-hash-1g.bin");
        if (!File.Exists(path) || new FileInfo(path).Length != 1L << 30)
        {
            var buf = new byte[1 << 20];
            new Random(1).NextBytes(buf);
            using var fs = File.Create(path);
            for (int i = 0; i < 1024; i++) fs.Write(buf);
        }
        var rates = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            var sw = Stopwatch.StartNew();
            Digest.OfFile(path);
            rates.Add(1.0 / sw.Elapsed.TotalSeconds);
        }
        System.Console.WriteLine($"hash: 1 GiB with XxHash128: first pass {rates[0]:F2} GiB/s, then {string.Join(", ", rates.Skip(1).Select(r => r.ToString("F2")))} GiB/s (page cache)");
        return 0;
    }
}
