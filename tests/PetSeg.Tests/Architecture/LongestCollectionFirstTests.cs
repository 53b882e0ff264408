using PetSeg.Tests.Support;
using Xunit.Sdk;

namespace PetSeg.Tests.Architecture;

public sealed class LongestCollectionFirstTests
{
    private static TestCollection For(Type type, TestAssembly assembly) => new(assembly, null, $"Test collection for {type.FullName}");

    [Fact]
    public void The_torch_collection_starts_first_and_a_class_marked_slow_counts_all_its_tests_before_classes_with_fewer()
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(LongestCollectionFirst).Assembly));
        var order = new LongestCollectionFirst().OrderTestCollections([
            For(typeof(Workflow.Graph.StageKeyTests), assembly), // no slow test
            For(typeof(Cli.KillAndResumeTests), assembly), // one slow test
            For(typeof(Workflow.Cluster.SlurmSubmissionTests), assembly), // the class is marked slow: all its tests
            new TestCollection(assembly, null, TorchGlobalState.Name), // the longest: its tests run one after another
        ]).Select(c => c.DisplayName.Split('.')[^1]).ToList();
        Assert.Equal([TorchGlobalState.Name, "SlurmSubmissionTests", "KillAndResumeTests", "StageKeyTests"], order);
    }
}
