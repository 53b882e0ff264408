using PetSeg.Core;

namespace PetSeg.Inference;

/// <summary>
/// The images a prediction names: files as given, folders as the JPEG and PNG files directly inside them, in ordinal
/// order (so what is written, and in which order, does not depend on the file system). A path that does not exist is
/// refused before anything is computed: a typo should not cost a model load and a partial run.
/// </summary>
public static class ImageInputs
{
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png"];

    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        var images = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            IEnumerable<string> found;
            if (Directory.Exists(input))
            {
                found = Directory.EnumerateFiles(input).Where(IsImageName).Order(StringComparer.Ordinal).ToList();
                if (!found.Any()) throw new PetSegException($"{input}: no JPEG or PNG images directly inside this folder ({string.Join(", ", Extensions.Select(e => "*" + e))})");
            }
            else if (File.Exists(input)) found = [input];
            else throw new PetSegException($"{input}: no such file or folder");
            images.AddRange(found.Where(f => seen.Add(Path.GetFullPath(f)))); // a file named twice is segmented once
        }
        return images;
    }

    public static bool IsImageName(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());
}
