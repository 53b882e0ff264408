namespace PetSeg.Data.Dataset;

/// <summary>Reads <c>trainval.txt</c> / <c>test.txt</c>; malformed lines are reported with file and line number.</summary>
public static class SplitListReader
{
    public static IReadOnlyList<PetSample> Read(OxfordPetLayout layout, string split)
    {
        var path = layout.SplitFile(split);
        if (!File.Exists(path))
            throw new DatasetException($"{path}: split list '{split}' not found. The annotations archive (dataset.files.annotations in pipeline.yaml) must be " +
                "Oxford-IIIT Pet's, which holds annotations/{split}.txt; run the download stage again (petseg run download) to re-extract it.");
        var masks = layout.ReadMasks();
        var samples = new List<PetSample>();
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || !int.TryParse(f[1], out var cls) || !int.TryParse(f[2], out var species) || !int.TryParse(f[3], out var breed))
            {
                errors.Add($"{path}:{lineNo}: expected 'Image CLASS-ID SPECIES BREED-ID', got '{line}'");
                continue;
            }
            if (!seen.Add(f[0])) { errors.Add($"{path}:{lineNo}: '{f[0]}' is listed twice"); continue; }
            samples.Add(new PetSample(f[0], cls, species, breed, layout.ImagePath(f[0]), layout.MaskPath(f[0], masks), lineNo) { Masks = masks });
        }
        if (errors.Count > 0) throw new DatasetException($"{errors.Count} malformed line(s) in {path}:\n  " + string.Join("\n  ", errors));
        return samples;
    }
}
