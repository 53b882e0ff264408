namespace PetSeg.Tests.Support;

/// <summary>Locates ../shared (reference fixtures) from the test binaries, as on a developer machine and in CI.</summary>
public static class SharedFixtures
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate)) return System.IO.Path.Combine(dir.FullName, "shared");
        }
        throw new DirectoryNotFoundException("../shared/fixtures not found above " + AppContext.BaseDirectory);
    }

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);
}
