namespace PetSeg.Data.Imaging;

public enum ImageFileFormat { Unknown, Jpeg, Png, Gif, Bmp }
