using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.IO;

namespace PetSeg.Data.Cache;

public sealed record PreprocessResult(string Path, int Count, string Digest, IReadOnlyList<string> Skipped);
