namespace PetSeg.Data.Download;

/// <summary>The official archives, at the URLs torchvision uses (they redirect to thor.robots.ox.ac.uk), with its pins.</summary>
public static class OxfordPetSources
{
    public static readonly RemoteFile Images = new("images.tar.gz",
        [new Uri("https://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz"), new Uri("https://thor.robots.ox.ac.uk/pets/images.tar.gz")],
        new Checksum("5c4f3ee8e5d25df40f4fd59a7f44e54c", "67195c5e1c01f1ab5f9b6a5d22b8c27a580d896ece458917e61d459337fa318d", 791_918_971));

    public static readonly RemoteFile Annotations = new("annotations.tar.gz",
        [new Uri("https://www.robots.ox.ac.uk/~vgg/data/pets/data/annotations.tar.gz"), new Uri("https://thor.robots.ox.ac.uk/pets/annotations.tar.gz")],
        new Checksum("95a8c909bbe2e81eed6a22bccdf3f68f", "52425fb6de5c424942b7626b428656fcbd798db970a937df61750c0f1d358e91", 19_173_078));
}
