namespace PetSeg.Tests.Support;

/// <summary>Files of this repository (pipeline.yaml, approved snapshots), found from the test binaries.</summary>
public static class RepoFiles
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "PetSegPipeline.sln"))) return d.FullName;
        throw new FileNotFoundException("PetSegPipeline.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);
}
