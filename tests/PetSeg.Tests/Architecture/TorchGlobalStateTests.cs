using System.Reflection;
using PetSeg.Tests.Support;
using Xunit.Abstractions;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// Tests outside the torch collection run beside each other and beside the torch collection's, so none of them may touch what a seeded test relies on:
/// torch's global generator and thread count, the kernel path the numerics self-check settles, and what draws from the
/// generator (a model's initialisation, a training). This reads every test class's compiled code, following
/// calls into the test assembly's own helpers (not into the library: a pipeline run in-process is judged by its test's
/// author), and fails on a class outside the collection that reaches such a member.
/// </summary>
public sealed class TorchGlobalStateTests(ITestOutputHelper output)
{
    private static readonly Assembly Tests = typeof(TorchGlobalStateTests).Assembly;

    /// <summary>Members that set or draw from torch's process-wide state.</summary>
    private static string? GlobalState(MethodBase m) => m.DeclaringType?.FullName switch
    {
        "TorchSharp.torch" or "TorchSharp.torch+random" or "TorchSharp.torch+cuda"
            when m.Name is "manual_seed" or "manual_seed_all" or "seed" or "set_num_threads" or "set_num_interop_threads" => $"torch.{m.Name}",
        "PetSeg.Compute.ComputeBackend" when m.IsStatic && m.Name != "get_Path" && m.Name != "get_Report" => $"ComputeBackend.{m.Name}",
        "PetSeg.Models.ModelZoo" when m.Name == "Create" => "ModelZoo.Create (its initialisation draws from torch's generator)",
        "PetSeg.Training.Trainer" when m.IsConstructor => "new Trainer (it seeds torch's generator)",
        _ => null,
    };

    [Fact]
    public void Only_tests_in_the_torch_collection_touch_torchs_global_state()
    {
        var touching = TestClasses().ToDictionary(t => t, t => Reaches(t).FirstOrDefault());
        foreach (var (t, why) in touching.Where(p => p.Value is not null)) output.WriteLine($"{t.Name}: {why}");

        var outside = touching.Where(p => p.Value is not null && !InTorchCollection(p.Key)).Select(p => $"{p.Key.FullName}: {p.Value}").ToList();
        Assert.True(outside.Count == 0, $"add [Collection(TorchGlobalState.Name)] to these classes (they touch torch's global state and run beside other tests):\n{string.Join("\n", outside)}");
        // The check sees what it is meant to: a training, a seeded model and the self-check, behind helpers too.
        Assert.NotNull(touching[typeof(PetSeg.Tests.Training.TrainerTests)]);
        Assert.NotNull(touching[typeof(PetSeg.Tests.Models.ModelParityTests)]);
        Assert.NotNull(touching[typeof(PetSeg.Tests.Compute.NumericsSelfCheckTests)]);
        Assert.Null(touching[typeof(TorchGlobalStateTests)]);
    }

    private static IEnumerable<Type> TestClasses() =>
        Tests.GetTypes().Where(t => !t.IsNested && t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()));

    private static bool InTorchCollection(Type t) =>
        t.GetCustomAttributesData().Any(a => a.AttributeType == typeof(CollectionAttribute) && a.ConstructorArguments is [{ Value: TorchGlobalState.Name }]);

    /// <summary>The global-state members a class reaches, through the test assembly's own code.</summary>
    private static IEnumerable<string> Reaches(Type type)
    {
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>([type]);
        while (pending.TryDequeue(out var t))
        {
            if (!seen.Add(t)) continue;
            foreach (var call in NamespaceGraph.Calls(t))
            {
                if (GlobalState(call) is { } why) yield return $"{why}{(t == type ? "" : $", through {t.Name}")}";
                else if (call.DeclaringType is { } d && d.Assembly == Tests) pending.Enqueue(Outermost(d));
            }
        }
    }

    private static Type Outermost(Type t)
    {
        while (t.IsNested) t = t.DeclaringType!;
        return t;
    }
}
