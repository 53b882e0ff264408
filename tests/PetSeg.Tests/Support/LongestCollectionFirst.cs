using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("PetSeg.Tests.Support.LongestCollectionFirst", "PetSeg.Tests")]

namespace PetSeg.Tests.Support;

/// <summary>
/// Starts the collections that take longest first (longest-processing-time-first scheduling), so a long one does not
/// start last and keep one thread busy while the others idle: the torch collection (its tests run one after another,
/// about 3½ minutes in all), then by how many slow tests a collection holds (all of a class marked slow: the Slurm class,
/// which started last while it counted none), then by name for a stable order.
/// </summary>
public sealed class LongestCollectionFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderByDescending(c => c.DisplayName == TorchGlobalState.Name)
            .ThenByDescending(SlowTests)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal)
            .ToList();

    private static int SlowTests(ITestCollection collection)
    {
        // A class without [Collection] is its own collection, named "Test collection for <its full name>".
        const string prefix = "Test collection for ";
        if (!collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal)) return 0;
        var type = typeof(LongestCollectionFirst).Assembly.GetType(collection.DisplayName[prefix.Length..].Split(' ')[0]);
        if (type is null) return 0;
        var tests = type.GetMethods().Where(m => m.GetCustomAttributes(typeof(FactAttribute), inherit: true).Length > 0).ToList();
        return IsSlow(type) ? tests.Count : tests.Count(IsSlow); // a class marked slow: every test in it
    }

    private static bool IsSlow(System.Reflection.MemberInfo member) => member.GetCustomAttributesData().Any(a =>
        a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments is [{ Value: "Category" }, { Value: "Slow" }]);
}
