namespace PetSeg.Data.Dataset;

/// <summary>A problem with the dataset on disk; the message names the files (and lines) and what to do.</summary>
public sealed class DatasetException(string message) : PetSeg.Core.PetSegException(message);
