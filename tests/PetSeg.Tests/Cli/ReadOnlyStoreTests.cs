using System.Text.RegularExpressions;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// A workspace on a read-only file system (a lab's results share mounted read-only, a snapshot): what only reads works,
/// and what writes says the file system is read-only — not that another process holds the store, which is what a
/// failed lock used to be taken for.
/// </summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class ReadOnlyStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Reading_commands_work_and_writing_ones_say_the_file_system_is_read_only()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, output) = SmallDisk.Run(_dir["disk"], "64m", $"""
            cp '{_dir["pipeline.yaml"]}' .
            petseg run evaluate-tiny > /dev/null; echo "== exit $?"
            freeze
            for command in "verify" "gc" "run report" "status" "exp show" "export tiny --out {_dir["tiny.safetensors"]}" "predict out/data/synthetic-pet/images --experiment tiny --out {_dir["masks"]}"; do
              echo "== $command"; petseg $command; echo "== exit $?"
            done
            """);
        Assert.True(exit == 0, output);
        var exits = Regex.Matches(output, @"^== exit (\d+)$", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.True(exits.SequenceEqual([0, 1, 1, 1, 0, 0, 0, 0]), output);
        const string ReadOnly = "cannot take the lock .*/out/store/\\.lock: the file system is read-only\\. Commands that write to the store \\(run, pull, gc, verify\\) " +
                                "need it writable; on a read-only store status, exp show, export and predict --experiment still work\\.";
        Assert.Equal(3, Regex.Matches(output, "error: " + ReadOnly).Count);
        Assert.DoesNotContain("in use by", output);
        Assert.True(File.Exists(_dir["tiny.safetensors"]));
        Assert.NotEmpty(Directory.GetFiles(_dir["masks"], "*.png"));
    }

    public void Dispose() => _dir.Dispose();
}
