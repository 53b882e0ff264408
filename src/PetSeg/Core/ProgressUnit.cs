namespace PetSeg.Core;

public enum ProgressUnit { Items, Bytes }
