namespace PetSeg.Data.Download;

public enum DownloadOutcome { AlreadyPresent, Downloaded }
