using PetSeg.Core;

namespace PetSeg.Inference;

/// <summary>
/// Where each image's mask (or overlay) goes when several are segmented: <c>&lt;folder&gt;/&lt;image name&gt;.png</c>.
/// Two images that would write one file, or a mask that would replace one of the images, are refused up front.
/// </summary>
public static class MaskPaths
{
    public static IReadOnlyList<string> InFolder(IReadOnlyList<string> images, string folder, string option)
    {
        var paths = images.Select(i => Path.Combine(folder, Path.GetFileNameWithoutExtension(i) + ".png")).ToList();
        var byTarget = new Dictionary<string, string>(StringComparer.Ordinal);
        var inputs = images.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < images.Count; i++)
        {
            var full = Path.GetFullPath(paths[i]);
            if (inputs.Contains(full))
                throw new PetSegException($"{option} {folder}: {images[i]}'s output would replace the image {paths[i]}; write to another folder");
            if (byTarget.TryGetValue(full, out var other))
                throw new PetSegException($"{option} {folder}: {other} and {images[i]} would both write {paths[i]}; segment them into different folders");
            byTarget[full] = images[i];
        }
        return paths;
    }
}
