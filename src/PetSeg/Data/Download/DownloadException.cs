namespace PetSeg.Data.Download;

public sealed class DownloadException(string message, Exception? inner = null) : PetSeg.Core.PetSegException(message, inner);
