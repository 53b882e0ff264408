using System.Collections.Concurrent;
using TorchSharp;

namespace PetSeg.Compute;

/// <summary>
/// Scalars made once and kept. TorchSharp turns every number passed to a tensor method into a native Scalar whose only
/// owner is a finalizer (dispose scopes do not track Scalars), and makes one behind calls that take none: <c>a + b</c>
/// and <c>add_(b)</c> are <c>add(b, 1)</c> (dotnet/TorchSharp#1496). That is wrong twice. Nothing references such a
/// Scalar once its handle is passed on, so a garbage collection started by another thread can free it while libtorch
/// reads it: the op computes with another number or fails (ScalarTemporariesTests). And thousands per step, living
/// between the step's large temporaries, fragmented glibc's heap (RSS grew by tens of MB per step). A Scalar from here
/// is referenced for the life of the process; one made for a single call is a <c>using</c> local.
/// </summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();

    public static readonly Scalar One = Of(1L);
    public static readonly Scalar MinusOne = Of(-1L);

    /// <summary>A floating-point Scalar of <paramref name="value"/>, kept (for constants and the few values a run uses).</summary>
    public static Scalar Of(double value) => Doubles.GetOrAdd(value, v => v.ToScalar());

    /// <summary>An integer Scalar of <paramref name="value"/>, kept: integer tensors stay integer when combined with it.</summary>
    public static Scalar Of(long value) => Integers.GetOrAdd(value, v => v.ToScalar());

    /// <summary>
    /// A one-element tensor's value as a double. TorchSharp's <c>t.ToDouble()</c> is <c>t.ToScalar().ToDouble()</c>: the
    /// Scalar it reads is referenced by nothing while libtorch reads it, so a collection on another thread could free it
    /// first (an abort in <c>Scalar::toDouble</c>, "Expected false to be true"). Here the Scalar is a local until read.
    /// </summary>
    public static double ToDoubleKept(this torch.Tensor t)
    {
        using var value = t.ToScalar();
        return value.ToDouble();
    }

    /// <summary>A one-element tensor's truth, read as <see cref="ToDoubleKept"/> reads a number.</summary>
    public static bool ToBooleanKept(this torch.Tensor t)
    {
        using var value = t.ToScalar();
        return value.ToBoolean();
    }

    /// <summary><c>a + b</c> without the hidden Scalar.</summary>
    public static torch.Tensor Plus(this torch.Tensor a, torch.Tensor b) => a.add(b, One);

    /// <summary><c>1 - x</c> without the hidden Scalar: −x + 1, one rounding of the same exact value, so the same bits.</summary>
    public static torch.Tensor OneMinus(this torch.Tensor x) => x.neg().add_(Of(1.0), One);

    /// <summary><c>a - b</c> without the hidden Scalar (ATen's sub is add with alpha −1: the same bits).</summary>
    public static torch.Tensor Minus(this torch.Tensor a, torch.Tensor b) => a.add(b, MinusOne);
}
