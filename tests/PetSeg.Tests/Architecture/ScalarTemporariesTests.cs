using System.Reflection;
using TorchSharp;
using PetSeg.Compute;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// TorchSharp turns a number passed to a tensor method (<c>x.clamp_min(1e-7)</c>, <c>x * 2.0</c>, <c>x.ne(255)</c>)
/// into a native Scalar whose only owner is a finalizer, and dispose scopes do not track Scalars. Nothing references
/// it once its handle is passed on, so a garbage collection started by another thread (the progress display's, a
/// server's) can free it while libtorch reads it: the op then computes with another number, or fails ("Expected false
/// to be true" from <c>Scalar::toDouble</c>). With a thread allocating beside it, each of smp's losses computed that
/// way failed within 2,000 steps, and CLI trainings with the Dice or Jaccard loss gave other weights in about one run
/// of thirteen. The code therefore makes no Scalar it does not keep: it passes cached ones (<c>Scalars</c>) or a
/// <c>using</c> local, and calls <c>add(b, alpha)</c>, not <c>add(b)</c> or <c>a + b</c>, whose hidden Scalar is made
/// inside TorchSharp; it reads a tensor's value with <c>ToDoubleKept()</c>, not <c>ToDouble()</c> (a GC-hammered training
/// aborted in the numerics self-check on exactly that), and uses no TorchSharp module whose forward makes one. This reads
/// the compiled library and program, and TorchSharp's own code where they call into it, and fails on any such call.
/// </summary>
public sealed class ScalarTemporariesTests(ITestOutputHelper output)
{
    /// <summary>
    /// The library, the program (its benchmarks and commands compute too) and the tests: the torch collection computes in
    /// the test host while the other classes allocate beside it, and a Scalar freed there crashes the whole host.
    /// </summary>
    private static readonly Assembly[] Assemblies = [typeof(PetSeg.Core.PetSegException).Assembly, typeof(PetSeg.Cli.Commands.PredictCommand).Assembly, typeof(ScalarTemporariesTests).Assembly];

    /// <summary>A call that makes a Scalar nothing keeps: an implicit conversion, or a TorchSharp overload that makes one inside.</summary>
    private static string? HiddenScalar(MethodBase m) => m.DeclaringType?.FullName switch
    {
        "TorchSharp.Scalar" when m.Name == "op_Implicit" => $"an implicit Scalar from {m.GetParameters()[0].ParameterType.Name}",
        "TorchSharp.torch+Tensor" when m.Name is "op_Addition" or "op_Subtraction"
            && m.GetParameters() is [{ ParameterType.Name: "Tensor" }, { ParameterType.Name: "Tensor" }] => $"Tensor.{m.Name} (add/sub with a hidden alpha of 1)",
        // (A number made a tensor, op_Implicit, is a tensor: dispose scopes keep it.)
        "TorchSharp.torch+Tensor" when m.Name.StartsWith("op_", StringComparison.Ordinal) && m.Name != "op_Implicit" && m.GetParameters().Any(p => p.ParameterType.IsPrimitive)
            => $"Tensor.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))}) (a Scalar made inside)",
        "TorchSharp.torch+Tensor" when m.Name is "add" or "add_" or "sub" or "sub_" && m.GetParameters() is [var only]
            => $"Tensor.{m.Name}({only.ParameterType.Name}) (a hidden alpha of 1)",
        "TorchSharp.torch+linalg" when m.Name == "vector_norm" => "linalg.vector_norm (its order's Scalar is made inside)",
        _ when m.DeclaringType?.Assembly == TorchSharpAssembly && MakesScalarInside(m, depth: 3) => $"{m.DeclaringType!.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))}) (a Scalar made inside TorchSharp)",
        // A TorchSharp module made here whose forward makes one on every call (LeakyReLU's slope, Hardtanh's bounds, ...).
        // An abstract module's constructor is a subclass's base call: its forward is the subclass's, read as ours.
        _ when m.DeclaringType?.Assembly == TorchSharpAssembly && (m is MethodInfo mi ? mi.ReturnType : m.DeclaringType) is { IsAbstract: false } module && ForwardMakesScalar(module)
            => $"{m.DeclaringType!.Name}.{m.Name} makes a {module.Name}, whose forward makes a Scalar inside TorchSharp",
        _ => null,
    };

    /// <summary>Whether a TorchSharp module type's forward makes a Scalar nothing keeps (its calls are virtual: the scan of our calls cannot follow them).</summary>
    private static bool ForwardMakesScalar(Type type) =>
        type.Assembly == TorchSharpAssembly && typeof(TorchSharp.torch.nn.Module).IsAssignableFrom(type)
        && type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(f => f.Name == "forward" && f.DeclaringType?.Assembly == TorchSharpAssembly && MakesScalarInside(f, depth: 3));

    private static readonly Assembly TorchSharpAssembly = typeof(TorchSharp.Scalar).Assembly;

    /// <summary>Whether a TorchSharp method's own code, or TorchSharp code it calls, makes a Scalar from a number.</summary>
    private static bool MakesScalarInside(MethodBase m, int depth)
    {
        if (depth == 0) return false;
        foreach (var call in NamespaceGraph.CallsIn(m))
        {
            if (call.DeclaringType?.FullName is "TorchSharp.Scalar" && call.Name == "op_Implicit") return true;
            if (call.DeclaringType?.FullName is "TorchSharp.ScalarExtensionMethods" && call.Name == "ToScalar") return true;
            // t.ToDouble() is t.ToScalar().ToDouble(): the Scalar read is a temporary (Scalars.ToDoubleKept keeps it).
            if (call.DeclaringType?.FullName is "TorchSharp.torch+Tensor" && call.Name == "ToScalar") return true;
            if (call.DeclaringType?.Assembly == TorchSharpAssembly && call != m && MakesScalarInside(call, depth - 1)) return true;
        }
        return false;
    }

    [Fact]
    public void The_code_makes_no_scalar_it_does_not_keep()
    {
        var found = Assemblies.SelectMany(a => a.GetTypes()).Where(t => t != typeof(ScalarTemporariesTests)) // its examples, read and never run
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>().Concat(t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                .SelectMany(m => NamespaceGraph.CallsIn(m).Select(HiddenScalar).OfType<string>().Distinct().Select(why => $"{t.FullName}.{m.Name}: {why}")))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var f in found) output.WriteLine(f);
        Assert.True(found.Count == 0, $"{found.Count} call(s) make a Scalar only a finalizer frees; pass a cached one (Scalars) or a using local:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void The_check_finds_hidden_scalars_and_passes_kept_ones()
    {
        static string[] Found(string method) =>
            [.. NamespaceGraph.CallsIn(typeof(ScalarTemporariesTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!).Select(HiddenScalar).OfType<string>()];
        Assert.Equal(["an implicit Scalar from Double"], Found(nameof(ClampImplicitly)));
        Assert.Equal(["Tensor.op_Addition (add/sub with a hidden alpha of 1)", "Tensor.op_Multiply(Tensor, Double) (a Scalar made inside)"], Found(nameof(AddAndScale)));
        Assert.Equal(["linalg.vector_norm (its order's Scalar is made inside)"], Found(nameof(Norm)));
        Assert.Equal(["Tensor.add_(Scalar) (a hidden alpha of 1)"], Found(nameof(AddKeptScalarWithoutAlpha)));
        // Any other TorchSharp call whose own code makes one, found by reading TorchSharp's IL.
        Assert.StartsWith("linalg.matrix_norm(Tensor, Double", Assert.Single(Found(nameof(MatrixNorm))));
        Assert.EndsWith("(a Scalar made inside TorchSharp)", Assert.Single(Found(nameof(MatrixNorm))));
        Assert.Equal(["TensorExtensionMethods.ToDouble(Tensor) (a Scalar made inside TorchSharp)"], Found(nameof(ReadImplicitly)));
        Assert.Equal(["nn.LeakyReLU makes a LeakyReLU, whose forward makes a Scalar inside TorchSharp"], Found(nameof(MakeLeakyRelu)));
        Assert.Equal(["nn.BatchNorm2d makes a BatchNorm2d, whose forward makes a Scalar inside TorchSharp"], Found(nameof(MakeBatchNorm))); // inherited forward
        Assert.Empty(Found(nameof(Kept)));
        Assert.Empty(Found(nameof(ReadKept)));
    }

    private static Tensor ClampImplicitly(Tensor x) => x.clamp_min(1e-7);
    private static Tensor AddAndScale(Tensor a, Tensor b) => (a + b) * 0.5;
    private static Tensor Norm(Tensor x) => linalg.vector_norm(x);
    private static Tensor AddKeptScalarWithoutAlpha(Tensor x) => x.add_(Scalars.Of(1.0));
    private static Tensor MatrixNorm(Tensor x) => linalg.matrix_norm(x, 2.0);
    private static double ReadImplicitly(Tensor x) => x.max().ToDouble(); // read, never run: no caller's dispose scope needed
    private static double ReadKept(Tensor x) => x.max().ToDoubleKept(); // read, never run: no caller's dispose scope needed
    private static nn.Module<Tensor, Tensor> MakeLeakyRelu() => nn.LeakyReLU(0.2);
    private static nn.Module<Tensor, Tensor> MakeBatchNorm() => nn.BatchNorm2d(8);
    private static Tensor Kept(Tensor a, Tensor b) => a.Plus(b).mul(Scalars.Of(0.5)).clamp_min(Scalars.Of(1e-7)).norm(); // read, never run: no caller's dispose scope needed
}
