namespace PetSeg.Data.Download;

public sealed record DownloadProgress(string FileName, long Received, long? Total, double BytesPerSecond);
