using System.Text.RegularExpressions;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// A TorchSharp tensor is a raw native handle with a finalizer. In <c>a.permute(…).contiguous()</c> nothing references
/// permute()'s result once its handle is passed on, so a garbage collection started by any other thread can finalize it
/// while libtorch still copies from it: a wrong value, or a SIGSEGV in <c>copy_impl</c>, rarely and far from the cause.
/// Inside a dispose scope every tensor stays referenced until the scope ends. So outside <c>forward()</c> (which runs in
/// its caller's step scope) a member that copies from a temporary — <c>(…).contiguous()</c>, <c>.clone()</c>,
/// <c>.to(…)</c>, <c>.to_type(…)</c>, <c>.cpu()</c>, or <c>copy_(…)</c> of a call's result — opens a scope itself.
/// </summary>
public sealed class TensorTemporariesTests
{
    private static readonly Regex CopyOfTemporary = new(@"\)\s*\.\s*(contiguous|clone|to|to_type|cpu|copy_|index_copy_)\s*\(|\.copy_\([^;]*\(", RegexOptions.Compiled);

    /// <summary>A member's first line: a declaration at class-member indentation.</summary>
    private static readonly Regex Member = new(@"^    (public|private|internal|protected)\b.*\(", RegexOptions.Compiled);

    [Fact]
    public void Code_copies_from_temporaries_only_inside_a_dispose_scope()
    {
        // The tests' own code too: the torch collection computes in this process while the other classes allocate beside it.
        var found = new[] { "src", "tests" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoFiles.Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && Path.GetFileName(f) != $"{nameof(TensorTemporariesTests)}.cs")
            .SelectMany(f => Unscoped(File.ReadAllLines(f)).Select(l => $"{Path.GetRelativePath(RepoFiles.Root, f)}:{l}"))
            .ToList();
        Assert.True(found.Count == 0, "open a dispose scope in these members (using var scope = NewDisposeScope(); and MoveToOuterDisposeScope() what they return):\n" +
                                      string.Join("\n", found));
    }

    [Fact]
    public void The_check_finds_a_copy_from_a_temporary_and_passes_the_same_code_in_a_scope()
    {
        string[] bad =
        [
            "    public static Tensor Materialize(Tensor flat, long[] size, long[] stride)",
            "    {",
            "        var view = flat.as_strided(size, stride);",
            "        return view.permute(1, 0).contiguous().clone();",
            "    }",
            "    private static void Load(Tensor t, Tensor v) => t.copy_(v.to(t.dtype));",
        ];
        Assert.Equal(["4: return view.permute(1, 0).contiguous().clone();", "6: private static void Load(Tensor t, Tensor v) => t.copy_(v.to(t.dtype));"], Unscoped(bad));
        string[] good = [.. bad[..3], "        using var scope = NewDisposeScope();", .. bad[3..5]];
        Assert.Empty(Unscoped(good));
        Assert.Empty(Unscoped(["    public override Tensor forward(Tensor x) => x.permute(0, 2, 3, 1).contiguous();"]));
        Assert.Empty(Unscoped(["    // return view.permute(1, 0).contiguous();"]));
    }

    /// <summary>"line: text" of each copy from a temporary in a member without a dispose scope.</summary>
    private static List<string> Unscoped(string[] lines)
    {
        var starts = Enumerable.Range(0, lines.Length).Where(i => Member.IsMatch(lines[i])).Append(lines.Length).ToList();
        var found = new List<string>();
        for (int m = 0; m + 1 < starts.Count; m++)
        {
            var (from, to) = (starts[m], starts[m + 1]);
            if (lines[from].Contains("forward(", StringComparison.Ordinal)) continue;
            if (lines[from..to].Any(l => l.Contains("NewDisposeScope", StringComparison.Ordinal))) continue;
            for (int i = from; i < to; i++)
            {
                var code = lines[i].Split("//")[0];
                if (CopyOfTemporary.IsMatch(code)) found.Add($"{i + 1}: {lines[i].Trim()}");
            }
        }
        return found;
    }
}
