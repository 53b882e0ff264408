namespace PetSeg.Data.Download;

/// <summary>A file to fetch: mirrors are tried in order, the checksum decides whether what arrived is valid.</summary>
public sealed record RemoteFile(string FileName, IReadOnlyList<Uri> Urls, Checksum Checksum);
