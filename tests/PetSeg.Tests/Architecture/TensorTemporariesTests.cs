using System.Text.RegularExpressions;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// A TorchSharp tensor is a raw native handle with a finalizer. In <c>a.permute(…).contiguous()</c> nothing references
/// permute()'s result once its handle is passed on, so a garbage collection started by any other thread can finalize it
/// while libtorch still reads it: a wrong value, or a SIGSEGV in <c>copy_impl</c>, rarely and far from the cause.
/// Inside a dispose scope every tensor stays referenced until the scope ends. So a member that calls a tensor method on
/// a call's result (<c>(…).contiguous()</c>, <c>.clone()</c>, <c>.abs().max()</c>, <c>copy_(v.to(…))</c>, …) opens a
/// scope itself, unless it only ever runs inside its callers' (<c>forward()</c>, or a member that says so).
/// </summary>
public sealed class TensorTemporariesTests
{
    /// <summary>A tensor method called on a call's result (or copy_ of one): the result is referenced by nothing meanwhile.</summary>
    private static readonly Regex OnTemporary = new(
        @"\)\s*\.\s*(contiguous|clone|to|to_type|cpu|copy_|index_copy_|detach|sum|mean|max|min|abs|item|argmax|eq|ne|gt|lt|ge|le|all|any|" +
        @"equal|allclose|norm|permute|view|reshape|flatten|squeeze|unsqueeze|index_select|masked_select|nonzero|softmax|log_softmax|exp|pow|sqrt|" +
        @"matmul|transpose|flip|sort|bincount|data|bytes|ToDouble|ToSingle|ToInt64|ToBoolean|ToDoubleKept|ToBooleanKept)\s*(<[^>(]*>)?\s*\(|\.copy_\([^;]*\(",
        RegexOptions.Compiled);

    /// <summary>Said in a member that only ever runs inside its callers' scope (as forward() does).</summary>
    private const string InCallersScope = "caller's dispose scope";

    /// <summary>A member's first line: a declaration at class-member indentation.</summary>
    private static readonly Regex Member = new(@"^    (public|private|internal|protected)\b.*\(", RegexOptions.Compiled);

    [Fact]
    public void Tensor_temporaries_are_used_only_inside_a_dispose_scope()
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
    public void The_check_finds_a_temporary_outside_a_scope_and_passes_the_same_code_in_one()
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
        Assert.Equal(["1: private static double Diff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();"],
            Unscoped(["    private static double Diff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();"]));
        Assert.Empty(Unscoped(["    public override Tensor forward(Tensor x) => x.permute(0, 2, 3, 1).contiguous();"]));
        Assert.Empty(Unscoped(["    private static Tensor Op(Tensor x) => x.exp().sum(); // runs in its caller's dispose scope"]));
        Assert.Empty(Unscoped(["    // return view.permute(1, 0).contiguous();"]));
    }

    /// <summary>"line: text" of each use of a temporary in a member without a dispose scope.</summary>
    private static List<string> Unscoped(string[] lines)
    {
        var starts = Enumerable.Range(0, lines.Length).Where(i => Member.IsMatch(lines[i])).Append(lines.Length).ToList();
        var found = new List<string>();
        for (int m = 0; m + 1 < starts.Count; m++)
        {
            var (from, to) = (starts[m], starts[m + 1]);
            if (lines[from].Contains("forward(", StringComparison.Ordinal)) continue;
            if (lines[from..to].Any(l => l.Contains("NewDisposeScope", StringComparison.Ordinal) || l.Contains(InCallersScope, StringComparison.Ordinal))) continue;
            for (int i = from; i < to; i++)
            {
                var code = lines[i].Split("//")[0];
                if (OnTemporary.IsMatch(code)) found.Add($"{i + 1}: {lines[i].Trim()}");
            }
        }
        return found;
    }
}
