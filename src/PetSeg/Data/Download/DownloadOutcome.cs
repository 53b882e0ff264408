namespace PetSeg.Data.Download;

/// <summary>How a verified file came to be at its destination.</summary>
public enum DownloadOutcome { AlreadyPresent, Downloaded, CopiedLocally }
