using System.Text.RegularExpressions;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// A full disk (a laptop's, a cluster quota's) through the program, on a real file system of a few hundred kilobytes
/// (<see cref="SmallDisk"/>): work that cannot fit is refused before it starts, saying how much it needs and how much
/// is free; a disk that fills anyway is named as full, not retried as a network fault; nothing half-written is left;
/// and once there is room the same command finishes, resuming what it had.
/// </summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class FullDiskTests : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>Each "== exit N" line the script echoed after a petseg command, in order.</summary>
    private static List<int> Exits(string output) => Regex.Matches(output, @"^== exit (\d+)$", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToList();

    /// <summary>What the script listed after "== left": files a writer left behind (temp files, store work folders, run folders).</summary>
    private static string Left(string output, int nth) => output.Split("== left\n")[nth].Split("== end")[0].Trim();

    /// <summary>A workspace of a few small synthetic pets, then <paramref name="rest"/>.</summary>
    private static string SmallPets(string rest, int count = 8, int size = 32) => $$"""
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: {{count}}, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: {{size}} }

        """ + rest;

    /// <summary>An untrained Segformer: it needs MiT-b0's synthetic ImageNet file (14 MB).</summary>
    private const string Untrained = """
        weights: { source: synthetic }
        experiments:
          untrained: { model: segformer-mit_b0, epochs: 0 }
        """;

    private const string Leftovers = "echo '== left'; find . -name '.*.tmp' -o -name '*.copy'; find out/runs out/store/tmp -mindepth 1 2>/dev/null; echo '== end'";

    [Fact]
    public void A_training_the_disk_cannot_hold_is_refused_before_its_first_step_and_runs_once_there_is_room()
    {
        File.WriteAllText(_dir["pipeline.yaml"], SmallPets("""
            training: { epochs: 1, batch_size: 4 }
            experiments:
              small: { model: simple-unet }
            """));
        var (exit, output) = SmallDisk.Run(_dir["disk"], "2m", $"""
            cp '{_dir["pipeline.yaml"]}' .
            petseg run train-small; echo "== exit $?"
            {Leftovers}
            grow 64m
            petseg run train-small; echo "== exit $?"
            {Leftovers}
            echo "== published $(cat out/store/objects/*/*/model.safetensors out/store/objects/*/*/train-state.safetensors | wc -c)"
            """);
        Assert.True(exit == 0, output);
        Assert.Equal([1, 0], Exits(output));
        var refused = Regex.Match(output, @"error: train-small: the training needs about ([\d.]+) MB free on the disk holding .*/out/runs/[0-9a-f]{32}, which has [\d.]+ MB " +
                                          @"\(its checkpoint, last\.ckpt, is ([\d.]+) MB with Adam's moments; .*\)\. Nothing of it was published\. Make room on that disk and run again " +
                                          @"\(the stages completed before are kept\): `petseg gc` deletes");
        Assert.True(refused.Success, output);
        Assert.DoesNotContain("epoch 1/1", output.Split("== exit 1")[0]); // refused before its first step
        Assert.Equal("", Left(output, 1)); // not even an empty run folder
        // With room, the same command trains (the data stages were kept: only the training runs).
        var second = output.Split("== exit 1")[1];
        Assert.Contains("train-small: done", second);
        Assert.DoesNotContain("preprocess: running", second);
        Assert.Equal("", Left(output, 2));
        // The estimate is the checkpoint it wrote: the published weights and state together, to the message's two figures.
        double published = long.Parse(Regex.Match(output, @"== published (\d+)").Groups[1].Value) / 1e6;
        Assert.InRange(double.Parse(refused.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), published * 0.95, published * 1.05);
        Assert.InRange(double.Parse(refused.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 2 * published * 0.95, 2 * published * 1.05);
    }

    [Fact]
    public void A_disk_that_fills_during_a_stage_is_named_with_what_is_free_and_nothing_half_written_stays()
    {
        // An untrained Segformer needs MiT-b0's synthetic ImageNet file (14 MB): the data fits in 2 MB, the file does not.
        File.WriteAllText(_dir["pipeline.yaml"], SmallPets(Untrained));
        var (exit, output) = SmallDisk.Run(_dir["disk"], "2m", $"""
            cp '{_dir["pipeline.yaml"]}' .
            petseg run train-untrained; echo "== exit $?"
            {Leftovers}
            petseg status
            """);
        Assert.True(exit == 0, output);
        Assert.Equal([1], Exits(output));
        Assert.Matches(@"error: weights: cannot write .*/out/data/downloads/weights/synthetic/mit_b0\.safetensors: No space left on device \([\d.]+ [kM]B free there\)\. " +
                       @"Nothing of it was published\. Make room on that disk and run again \(the stages completed before are kept\): `petseg gc` deletes the store's results " +
                       @"that no lock names any more \(`petseg gc --dry-run` says how much it would free\), or keep the artifacts on a larger disk \(the store is .*/out/store\)\.", output);
        Assert.Equal("", Left(output, 1));
        Assert.Matches(@"fresh\s+download", output); // what completed before is kept
        Assert.Matches(@"fresh\s+preprocess", output);
    }

    [Fact]
    public void Preprocessing_the_disk_cannot_hold_is_refused_not_a_crash()
    {
        // The cache is written through a memory map, where a page the disk cannot back is a SIGBUS (the process died
        // with "Fatal error. System.AccessViolationException" before its bytes were reserved).
        File.WriteAllText(_dir["pipeline.yaml"], SmallPets("", count: 16, size: 96));
        var (exit, output) = SmallDisk.Run(_dir["disk"], "16m", $"""
            cp '{_dir["pipeline.yaml"]}' .
            petseg run download > /dev/null; echo "== exit $?"
            grow $(( $(du -sk . | cut -f1) + 200 ))k
            petseg run preprocess; echo "== exit $?"
            {Leftovers}
            grow 16m
            petseg run preprocess; echo "== exit $?"
            """);
        Assert.True(exit == 0, output);
        Assert.Equal([0, 1, 0], Exits(output));
        // Each split: 8 images of 96×96×3 and their masks, 295 kB, where 200 kB or less is free.
        Assert.Matches(@"error: preprocess: preprocessing 8 image\(s\) at 96×96 needs about 29\d kB free on the disk holding .*/out/data/cache/synthetic-96, which has 1?\d\d kB\. Nothing of it was published", output);
        Assert.DoesNotContain("Fatal error", output);
        Assert.Equal("", Left(output, 1));
        Assert.Contains("preprocess: done", output);
    }

    [Fact]
    public void A_download_the_disk_cannot_hold_is_refused_before_it_starts_and_a_disk_filling_mid_way_keeps_the_bytes_for_the_next_run()
    {
        var (exit, output) = CliProcess.Run("synth", _dir["pets"], "--count", "4");
        Assert.True(exit == 0, output);
        var archives = _dir["pets/archives"];
        using var server = new LoopbackHttpServer();
        server.Serve("images.tar.gz", File.ReadAllBytes(Path.Combine(archives, "images.tar.gz")));
        server.Serve("annotations.tar.gz", File.ReadAllBytes(Path.Combine(archives, "annotations.tar.gz")));
        long images = new FileInfo(Path.Combine(archives, "images.tar.gz")).Length;
        Assert.True(images > 200_000, $"the images archive is {images} bytes: it must not fit the 128 kB disk");
        string Md5(string name) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(File.ReadAllBytes(Path.Combine(archives, name))));
        File.WriteAllText(_dir["pipeline.yaml"], $$"""
            artifacts: out
            dataset:
              source: oxford
              files:
                images: { urls: [{{server.Url("images.tar.gz")}}], md5: {{Md5("images.tar.gz")}} }
                annotations: { urls: [{{server.Url("annotations.tar.gz")}}], md5: {{Md5("annotations.tar.gz")}} }
              download: { max_attempts: 3, initial_backoff_seconds: 1 }
            """);

        // The server says how long the archive is: refused before a byte is written, with one request.
        (exit, output) = SmallDisk.Run(_dir["disk"], "128k", $"""
            cp '{_dir["pipeline.yaml"]}' .
            petseg run download; echo "== exit $?"
            find out -name '*.partial'; {Leftovers}
            """);
        Assert.True(exit == 0, output);
        Assert.Equal([1], Exits(output));
        Assert.Matches(@"error: download: images\.tar\.gz from http://127\.0\.0\.1:\d+/images\.tar\.gz: the download needs about [\d.]+ [kM]B free on the disk holding .*/images\.tar\.gz\.partial, which has [\d.]+ kB\.", output);
        Assert.DoesNotContain("Check the network", output);
        Assert.Equal("", Left(output, 1));
        Assert.Equal(1, server.Requests);

        // A server that does not say: the disk fills mid-way, which is not retried like a network fault, and the bytes
        // that came are kept; with room, the next run resumes from them and the archives verify and unpack.
        server.OmitLength = true;
        (exit, output) = SmallDisk.Run(_dir["disk"], "128k", $"""
            cp '{_dir["pipeline.yaml"]}' .
            petseg run download; echo "== exit $?"
            {Leftovers}
            grow 16m
            petseg run download; echo "== exit $?"
            """);
        Assert.True(exit == 0, output);
        Assert.Equal([1, 0], Exits(output));
        var full = Regex.Match(output, @"error: download: images\.tar\.gz from \S+: No space left on device : '\S+/images\.tar\.gz\.partial'; the ([\d,]+) bytes received are kept in \S+/images\.tar\.gz\.partial and the next run resumes from there\.");
        Assert.True(full.Success, output);
        Assert.DoesNotContain("attempt 2", output);
        Assert.Equal("", Left(output, 1));
        Assert.Equal(4, server.Requests); // the refused one, the one the disk stopped, the resumed one, the annotations
        Assert.Equal($"bytes={full.Groups[1].Value.Replace(",", "")}-", server.RangeHeaders.Single());
    }

    [Fact]
    public void A_pull_the_disk_cannot_hold_is_refused_before_its_bytes_come_and_completes_once_there_is_room()
    {
        // Results published elsewhere (a colleague's workspace) on a folder remote; this workspace pulls them onto a small disk.
        var yaml = SmallPets($"remotes: {{ shared: {{ url: {_dir["remote"]} }} }}\n" + Untrained);
        Directory.CreateDirectory(_dir["elsewhere"]);
        Directory.CreateDirectory(_dir["remote"]);
        File.WriteAllText(_dir["elsewhere/pipeline.yaml"], yaml);
        var (exit, output) = CliProcess.RunIn(_dir["elsewhere"], "run", "train-untrained");
        Assert.True(exit == 0, output);
        (exit, output) = CliProcess.RunIn(_dir["elsewhere"], "push", "--remote", "shared");
        Assert.True(exit == 0, output);

        (exit, output) = SmallDisk.Run(_dir["disk"], "4m", $"""
            cp '{_dir["elsewhere/pipeline.yaml"]}' '{_dir["elsewhere/pipeline.lock"]}' .
            petseg pull --remote shared; echo "== exit $?"
            {Leftovers}; find out/store/partial -type f
            grow 64m
            petseg pull --remote shared; echo "== exit $?"
            """);
        Assert.True(exit == 0, output);
        Assert.Equal([1, 0], Exits(output));
        Assert.Matches(@"error: pulling output 'mit_b0' of weights \(14 MB\) needs about 14 MB free on the disk holding .*/out/store/partial, which has [\d.]+ MB\n" +
                       @"Make room on that disk and run again \(`petseg gc --dry-run` says", output);
        Assert.Equal("", Left(output, 1));
        Assert.Contains("pulled 3 result(s) in", output); // and the download, pulled before the refusal, is kept: "1 already here"
        Assert.Contains("1 already here", output);
        Assert.Matches(@"train-untrained: pulled", output);
    }

    public void Dispose() => _dir.Dispose();
}
