using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.Data.Synthetic;
using PetSeg.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Data.Dataset;

public sealed class FolderDatasetImporterTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly SyntheticPetOptions Small = new() { Count = 10, Seed = 5, MinWidth = 40, MaxWidth = 56, MinHeight = 36, MaxHeight = 48 };

    private FolderDatasetOptions Options(string folder = "mine") => new()
    {
        ImagesDir = _dir[$"{folder}/images"], MasksDir = _dir[$"{folder}/masks"], Background = [FolderDatasets.Background], Ignore = [FolderDatasets.Border],
    };

    [Fact]
    public void An_import_reads_back_as_the_Oxford_layout_with_the_same_images_labels_and_test_split()
    {
        var layout = FolderDatasets.Write(_dir["mine"], Small); // with the quirks: a PNG named .jpg, a grayscale JPEG
        File.WriteAllText(_dir["mine/images/.DS_Store"], "junk"); // hidden and foreign files are passed over
        File.WriteAllText(_dir["mine/images/notes.txt"], "not an image");
        var o = Options() with { TestList = _dir["mine/test.txt"] };

        var r = FolderDatasetImporter.Import(o, _dir["imported"]);

        Assert.Equal((layout.TrainVal.Count, layout.Test.Count), (r.TrainVal, r.Test));
        Assert.Equal(layout.Test.Order(StringComparer.Ordinal), OxfordPetDataset.Open(_dir["imported"], "test").Samples.Select(s => s.Stem));
        foreach (var split in OxfordPetLayout.Splits)
            foreach (var s in OxfordPetDataset.Open(_dir["imported"], split).Samples)
            {
                Assert.Equal(File.ReadAllBytes(_dir[$"mine/images/{s.Stem}.jpg"]), File.ReadAllBytes(s.ImagePath)); // copied as it is
                var (_, labels) = OxfordPetDataset.LoadPair(s);
                var mask = ImageLoader.LoadGray(_dir[$"mine/masks/{s.Stem}.png"]).Pixels;
                Assert.Equal(mask.Select(v => v switch { FolderDatasets.Pet => (byte)1, FolderDatasets.Background => (byte)0, _ => (byte)255 }), labels.Pixels);
            }
        Assert.Equal(3, r.ValueCounts.Count(c => c > 0)); // 0, 128 and 255
        Assert.Matches(@"^0 background \d+(\.\d+)? %, 128 ignored \d+(\.\d+)? %, 255 pet \d+(\.\d+)? %$", r.DescribeValues(new MaskValueMapping([0], [128])));
    }

    [Fact]
    public void Without_a_list_the_test_split_is_a_share_chosen_by_name_whatever_the_folder()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        var o = Options() with { TestFraction = 0.25 };
        var (trainval, test) = FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o), o);
        Assert.Equal(3, test.Count); // 2.5 rounds up
        Assert.Equal(7, trainval.Count);
        Assert.Empty(trainval.Select(p => p.Name).Intersect(test.Select(p => p.Name)));

        // The same files under another folder name split the same way; one more image moves no other.
        Directory.Move(_dir["mine"], _dir["moved"]);
        File.Copy(_dir["moved/images/Bengal_1.jpg"], _dir["moved/images/Zebra_1.jpg"]);
        File.Copy(_dir["moved/masks/Bengal_1.png"], _dir["moved/masks/Zebra_1.png"]);
        var o2 = Options("moved") with { TestFraction = 0.25 };
        var (_, test2) = FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o2), o2);
        Assert.Equal(3, test2.Count); // 11 × 0.25 = 2.75
        Assert.True(test2.Select(p => p.Name).Except(["Zebra_1"]).Count() >= 2);
        Assert.Subset(test.Select(p => p.Name).Append("Zebra_1").ToHashSet(), test2.Select(p => p.Name).ToHashSet());

        // At least one pair on each side, whatever the share.
        var tiny = Options("moved") with { TestFraction = 0.01 };
        Assert.Single(FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(tiny), tiny).Test);
    }

    [Fact]
    public void A_test_split_of_its_own_in_other_folders_is_the_test_split_and_names_may_not_clash_across()
    {
        var layout = FolderDatasets.Write(_dir["mine"], Small);
        Directory.CreateDirectory(_dir["mine/test/images"]);
        Directory.CreateDirectory(_dir["mine/test/masks"]);
        foreach (var stem in layout.Test)
        {
            File.Move(_dir[$"mine/images/{stem}.jpg"], _dir[$"mine/test/images/{stem}.jpg"]);
            File.Move(_dir[$"mine/masks/{stem}.png"], _dir[$"mine/test/masks/{stem}.png"]);
        }
        var o = Options() with { TestImagesDir = _dir["mine/test/images"], TestMasksDir = _dir["mine/test/masks"] };
        var (trainval, test) = FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o), o);
        Assert.Equal(layout.Test.Order(StringComparer.Ordinal), test.Select(p => p.Name));
        Assert.Equal(layout.TrainVal.Order(StringComparer.Ordinal), trainval.Select(p => p.Name));
        Assert.All(test, p => Assert.StartsWith(_dir["mine/test/masks"], p.MaskPath));

        var train = layout.TrainVal[0];
        File.Copy(_dir[$"mine/images/{train}.jpg"], _dir[$"mine/test/images/{train}.jpg"]);
        File.Copy(_dir[$"mine/masks/{train}.png"], _dir[$"mine/test/masks/{train}.png"]);
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Pairs(o));
        Assert.Contains($"{_dir[$"mine/test/images/{train}.jpg"]}: takes the name '{train}' that {_dir[$"mine/images/{train}.jpg"]} takes too", e.Message);
    }

    [Fact]
    public void Split_by_group_holds_out_whole_groups_near_the_share()
    {
        FolderDatasets.Write(_dir["mine"], Small with { Count = 30 }); // 6 breeds of 5: Abyssinian_1 … samoyed_5
        var o = Options() with { TestFraction = 0.3, SplitByGroup = true };
        var (trainval, test) = FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o), o);
        static string Group(FolderPair p) => PetSeg.Data.Splits.ValidationSplit.Breed(p.Name);
        Assert.Empty(trainval.Select(Group).Intersect(test.Select(Group))); // no breed on both sides
        Assert.Equal(10, test.Count); // two whole groups: 9 images is the share, 10 the nearest whole-group count
        Assert.Equal(20, trainval.Count);

        foreach (var file in Directory.GetFiles(_dir["mine/images"]).Concat(Directory.GetFiles(_dir["mine/masks"])))
            if (!Path.GetFileName(file).StartsWith("pug_", StringComparison.Ordinal)) File.Delete(file);
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o), o));
        Assert.Contains("split_by: group found one group ('pug')", e.Message);
    }

    [Fact]
    public void A_test_list_names_images_by_name_or_file_name_and_a_wrong_line_is_told_with_its_number()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        File.WriteAllLines(_dir["list.txt"], ["# held out", "Bengal_1", "pug_1.jpg", "", "Bengl_2", "pug_1"]);
        var o = Options() with { TestList = _dir["list.txt"] };
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o), o));
        Assert.Contains($"{_dir["list.txt"]}:5: 'Bengl_2' is not an image with a mask (did you mean 'Bengal_2'?)", e.Message);
        Assert.Contains($"{_dir["list.txt"]}:6: 'pug_1' is listed twice", e.Message);

        File.WriteAllLines(_dir["list.txt"], ["Bengal_1", "pug_1.jpg"]);
        var (trainval, test) = FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o), o);
        Assert.Equal(["Bengal_1", "pug_1"], test.Select(p => p.Name));
        Assert.Equal(8, trainval.Count);
    }

    [Fact]
    public void Every_problem_of_a_folder_is_named_at_once_and_nothing_is_written()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        File.Delete(_dir["mine/masks/Bengal_1.png"]);                                            // an image without its mask
        FolderDatasets.WriteMask(_dir["mine/masks/stray.png"], 8, 8, (_, _) => 0);               // a mask without its image
        TestImages.WriteGradient(_dir["mine/images/pug_1.png"], 8, 8);                           // a second image named pug_1
        TestImages.WriteGradient(_dir["mine/images/a b.png"], 8, 8);                              // two names that become one
        TestImages.WriteGradient(_dir["mine/images/a_b.png"], 8, 8);
        FolderDatasets.WriteMask(_dir["mine/masks/a b.png"], 8, 8, (_, _) => 0);
        FolderDatasets.WriteMask(_dir["mine/masks/a_b.png"], 8, 8, (_, _) => 0);
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Import(Options(), _dir["imported"]));
        Assert.StartsWith($"4 problem(s) in the folder dataset ({_dir["mine/images"]}, {_dir["mine/masks"]}):", e.Message);
        Assert.Contains($"{_dir["mine/images/pug_1.png"]}: a second image named 'pug_1' (the first: {_dir["mine/images/pug_1.jpg"]}); keep one", e.Message);
        Assert.Contains($"{_dir["mine/images/Bengal_1.jpg"]}: no mask ({_dir["mine/masks/Bengal_1.png"]})", e.Message);
        Assert.Contains($"{_dir["mine/masks/stray.png"]}: a mask without an image", e.Message);
        Assert.Contains($"{_dir["mine/images/a_b.png"]}: takes the name 'a_b' that {_dir["mine/images/a b.png"]} takes too", e.Message);
        Assert.False(Directory.Exists(_dir["imported"]));
    }

    [Fact]
    public void Masks_in_colour_in_16_bits_or_of_another_size_are_refused_with_what_to_do()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        var (w, h) = Size(_dir["mine/images/Bengal_1.jpg"]);
        using (var colour = new Image<Rgb24>(w, h)) { colour[3, 2] = new Rgb24(200, 0, 0); colour.SaveAsPng(_dir["mine/masks/Bengal_1.png"]); }
        using (var deep = new Image<L16>(w, h)) deep.SaveAsPng(_dir["mine/masks/beagle_1.png"], new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        FolderDatasets.WriteMask(_dir["mine/masks/pug_1.png"], 9, 7, (_, _) => 0);
        var (pw, ph) = Size(_dir["mine/images/pug_1.jpg"]);

        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Import(Options(), _dir["imported"]));
        Assert.StartsWith("3 problem(s) in the folder dataset's pairs:", e.Message);
        Assert.Contains($"{_dir["mine/masks/Bengal_1.png"]}: a colour mask (pixel 3,2 is 200,0,0); save it as 8-bit grayscale whose values are the labels", e.Message);
        Assert.Contains($"{_dir["mine/masks/beagle_1.png"]}: a 16-bit mask; save it with 8 bits per pixel", e.Message);
        Assert.Contains($"{_dir["mine/masks/pug_1.png"]}: 9×7, but its image {_dir["mine/images/pug_1.jpg"]} is {pw}×{ph}", e.Message);
    }

    [Fact]
    public void Masks_may_carry_a_suffix_and_be_GIFs_but_not_JPEGs()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        foreach (var mask in Directory.GetFiles(_dir["mine/masks"]))
            File.Move(mask, Path.Combine(_dir["mine/masks"], Path.GetFileNameWithoutExtension(mask) + "_mask.png"));
        using (var gif = Image.Load<L8>(_dir["mine/masks/pug_1_mask.png"])) { File.Delete(_dir["mine/masks/pug_1_mask.png"]); gif.SaveAsGif(_dir["mine/masks/pug_1_mask.gif"]); }
        var o = Options() with { MaskSuffix = "_mask" };
        FolderDatasetImporter.Import(o, _dir["imported"]);
        var pug = OxfordPetDataset.Open(_dir["imported"], "trainval").Samples.Concat(OxfordPetDataset.Open(_dir["imported"], "test").Samples).Single(s => s.Stem == "pug_1");
        var (_, labels) = OxfordPetDataset.LoadPair(pug);
        Assert.Contains((byte)1, labels.Pixels);
        Assert.Contains((byte)255, labels.Pixels);

        using (var jpeg = Image.Load<L8>(_dir["mine/masks/Bengal_1_mask.png"])) jpeg.SaveAsJpeg(_dir["mine/masks/Bengal_2_mask.jpg"]);
        File.Delete(_dir["mine/masks/Bengal_2_mask.png"]);
        FolderDatasets.WriteMask(_dir["mine/masks/beagle_1.png"], 8, 8, (_, _) => 0);
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Pairs(o));
        Assert.Contains($"{_dir["mine/masks/Bengal_2_mask.jpg"]}: a JPEG mask, whose values blur at every edge; save masks as PNG", e.Message);
        Assert.Contains($"{_dir["mine/masks/beagle_1.png"]}: a mask whose name does not end in '_mask'", e.Message);
        Assert.Contains($"{_dir["mine/images/Bengal_2.jpg"]}: no mask ({_dir["mine/masks/Bengal_2_mask.png"]})", e.Message);
    }

    [Fact]
    public void A_mask_drawn_on_a_photo_turned_by_its_EXIF_tag_is_told_how_to_turn_the_photo()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        using (var photo = new Image<Rgb24>(40, 30))
        {
            photo.Metadata.ExifProfile = new SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile();
            photo.Metadata.ExifProfile.SetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation, (ushort)6);
            photo.SaveAsJpeg(_dir["mine/images/pug_1.jpg"]);
        }
        FolderDatasets.WriteMask(_dir["mine/masks/pug_1.png"], 30, 40, (_, _) => 0);
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Import(Options(), _dir["imported"]));
        Assert.Contains($"{_dir["mine/masks/pug_1.png"]}: 30×40, but its image {_dir["mine/images/pug_1.jpg"]} is 40×30 as stored; it carries EXIF orientation 6 " +
                        "(turned a quarter for viewing), and the mask fits the turned view: turn the image's pixels to match", e.Message);
    }

    [Fact]
    public void With_bad_samples_skipped_a_bad_pair_is_left_out_and_named_and_the_split_of_the_others_holds()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        var o = Options() with { TestFraction = 0.3 };
        File.Delete(_dir["mine/masks/Bengal_1.png"]);                                           // no mask: no pair
        var (_, before) = FolderDatasetImporter.Split(FolderDatasetImporter.Pairs(o, []), o);
        FolderDatasets.WriteMask(_dir["mine/masks/pug_1.png"], 9, 7, (_, _) => 0);             // another size
        File.WriteAllText(_dir["mine/images/beagle_1.jpg"], "not a JPEG");                      // undecodable

        var r = FolderDatasetImporter.Import(o, _dir["imported"], skipBad: true);
        Assert.Equal(3, r.Skipped.Count);
        Assert.Contains(r.Skipped, s => s.StartsWith($"{_dir["mine/images/Bengal_1.jpg"]}: no mask", StringComparison.Ordinal));
        Assert.Contains(r.Skipped, s => s.StartsWith($"{_dir["mine/masks/pug_1.png"]}: 9×7", StringComparison.Ordinal));
        Assert.Contains(r.Skipped, s => s.Contains(_dir["mine/images/beagle_1.jpg"], StringComparison.Ordinal));
        var listed = OxfordPetLayout.Splits.SelectMany(split => OxfordPetDataset.Open(_dir["imported"], split).Samples).Select(s => s.Stem).ToList();
        Assert.Equal(7, listed.Count);
        Assert.Empty(listed.Intersect(["Bengal_1", "pug_1", "beagle_1"]));
        Assert.Equal(7, r.TrainVal + r.Test);
        Assert.False(File.Exists(_dir["imported/images/pug_1.jpg"]));
        // The pairs that failed in the import leave the others the split they had.
        Assert.Subset(before.Select(p => p.Name).ToHashSet(), OxfordPetDataset.Open(_dir["imported"], "test").Samples.Select(s => s.Stem).ToHashSet());
    }

    private static (int W, int H) Size(string path)
    {
        var info = Image.Identify(path);
        return (info.Width, info.Height);
    }

    [Fact]
    public void Classes_of_ones_own_are_written_as_label_maps_that_read_back_as_their_labels()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        MaskClass[] classes = [new("background", [FolderDatasets.Background]), new("pet", [FolderDatasets.Pet]), new("border", [FolderDatasets.Border])];
        var r = FolderDatasetImporter.Import(Options() with { Classes = classes, Ignore = [], TestList = _dir["mine/test.txt"] }, _dir["imported"]);

        var layout = new OxfordPetLayout(_dir["imported"]);
        Assert.Equal(["background", "pet", "border"], File.ReadAllLines(layout.ClassesFile));
        Assert.False(Directory.Exists(layout.TrimapsDir));
        Assert.Matches(@"^0 background [\d.]+ %, 128 border [\d.]+ %, 255 pet [\d.]+ %$", r.DescribeValues(new MaskValueMapping(classes, [])));
        int borders = 0;
        foreach (var split in OxfordPetLayout.Splits)
            foreach (var s in OxfordPetDataset.Open(_dir["imported"], split).Samples)
            {
                Assert.Equal(layout.LabelPath(s.Stem), s.MaskPath);
                var (_, labels) = OxfordPetDataset.LoadPair(s);
                var mask = ImageLoader.LoadGray(_dir[$"mine/masks/{s.Stem}.png"]).Pixels;
                Assert.Equal(mask.Select(v => v switch { FolderDatasets.Background => (byte)0, FolderDatasets.Pet => (byte)1, _ => (byte)2 }), labels.Pixels);
                borders += labels.Pixels.Count(v => v == 2);
            }
        Assert.True(borders > 0);

        // A label map's stray value is refused when read, with its pixel.
        var any = OxfordPetDataset.Open(_dir["imported"], "test").Samples[0];
        FolderDatasets.WriteMask(any.MaskPath, 4, 3, (x, y) => (byte)(x == 2 && y == 1 ? 7 : 0));
        var e = Assert.Throws<ImageDecodeException>(() => OxfordPetDataset.LoadPair(any));
        Assert.Contains($"{any.MaskPath}: pixel 2,1 is 7, which is no class of the 3 (0 … 2) nor 255 (ignored)", e.Message);
    }

    [Fact]
    public void With_classes_of_ones_own_a_value_in_none_is_refused_not_guessed_and_two_classes_are_trimaps()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        MaskClass[] two = [new("background", [FolderDatasets.Background]), new("cat", [FolderDatasets.Pet])];
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Import(Options() with { Classes = two, Ignore = [] }, _dir["imported"]));
        Assert.Matches(@"masks/\w+\.png: holds 128 \([\d,]+ pixel\(s\)\), in no class of dataset.folder.classes: add each value to a class, or to ignore", e.Message);
        Assert.False(File.Exists(_dir["imported/annotations/test.txt"])); // no split lists: the download stage discards what was copied

        // The border ignored: two classes of one's own are trimaps, as the binary reading writes them.
        FolderDatasetImporter.Import(Options() with { Classes = two, TestList = _dir["mine/test.txt"] }, _dir["two"]);
        FolderDatasetImporter.Import(Options() with { TestList = _dir["mine/test.txt"] }, _dir["binary"]);
        Assert.False(File.Exists(new OxfordPetLayout(_dir["two"]).ClassesFile));
        foreach (var file in Directory.EnumerateFiles(_dir["binary/annotations/trimaps"]))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(_dir["two/annotations/trimaps"], Path.GetFileName(file))));
    }

    [Fact]
    public void Palette_masks_as_Pascal_VOC_draws_them_are_read_by_index_even_where_the_colour_is_a_gray()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        var voc = VocPalette.Colours();
        Assert.Equal(((byte)128, (byte)128, (byte)128), voc[7]); // VOC's car is gray, its border cream
        // Each synthetic mask redrawn as a VOC mask: background 0, the pet a car (7) or a person (15), the border 255.
        var stems = Directory.EnumerateFiles(_dir["mine/masks"]).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        foreach (var (stem, i) in stems.Select((s, i) => (s!, i)))
        {
            var gray = ImageLoader.LoadGray(_dir[$"mine/masks/{stem}.png"]);
            byte pet = i % 2 == 0 ? (byte)7 : (byte)15;
            var indices = gray.Pixels.Select(v => v switch { FolderDatasets.Background => (byte)0, FolderDatasets.Pet => pet, _ => (byte)255 }).ToArray();
            if (i == 0) indices = indices.Select(v => v == 255 ? (byte)0 : v).ToArray(); // all its pixels gray: 0 and 7
            VocPalette.Write(_dir[$"mine/masks/{stem}.png"], gray.Width, gray.Height, indices, voc);
        }
        MaskClass[] classes = [new("background", [0]), new("car", [7]), new("person", [15])];
        var r = FolderDatasetImporter.Import(Options() with { Classes = classes, Ignore = [255] }, _dir["imported"]);
        Assert.Matches(@"^0 background [\d.]+ %, 7 car [\d.]+ %, 15 person [\d.]+ %, 255 ignored [\d.]+ %$", r.DescribeValues(new MaskValueMapping(classes, [255])));
        var first = OxfordPetDataset.Open(_dir["imported"], "trainval").Samples.Concat(OxfordPetDataset.Open(_dir["imported"], "test").Samples).Single(s => s.Stem == stems[0]);
        var labels = OxfordPetDataset.LoadPair(first).Mask.Pixels;
        Assert.Equal(new byte[] { 0, 1 }, labels.Distinct().Order()); // 7 by index, not the gray's 128

        // A palette that draws two indices alike cannot say which a pixel has.
        var twin = voc.ToArray();
        twin[20] = twin[7];
        VocPalette.Write(_dir[$"mine/masks/{stems[1]}.png"], 4, 3, [0, 7, 7, 0, 0, 7, 0, 0, 0, 0, 0, 0], twin);
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Import(Options() with { Classes = classes, Ignore = [255] }, _dir["again"]));
        Assert.Contains($"{_dir[$"mine/masks/{stems[1]}.png"]}: its palette draws indices 7 and 20 in one colour (128,128,128)", e.Message);
    }

    [Fact]
    public void Images_without_masks_may_be_passed_over_where_only_some_are_labelled()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        var unlabelled = Directory.EnumerateFiles(_dir["mine/masks"]).Order(StringComparer.Ordinal).Take(3).ToList();
        unlabelled.ForEach(File.Delete);
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Pairs(Options()));
        Assert.StartsWith("3 problem(s) in the folder dataset", e.Message);

        var passedOver = new List<string>();
        var pairs = FolderDatasetImporter.Pairs(Options() with { SkipImagesWithoutMasks = true }, withoutMasks: passedOver);
        Assert.Equal(Directory.EnumerateFiles(_dir["mine/images"]).Count() - 3, pairs.Count);
        Assert.Equal(unlabelled.Select(m => Path.GetFileNameWithoutExtension(m)), passedOver.Select(p => Path.GetFileNameWithoutExtension(p.Split(':')[0])));
        Assert.All(passedOver, p => Assert.Contains(": no mask (", p));
        // A mask without an image is still a problem: it says a file is misnamed, not unlabelled.
        File.Copy(Directory.EnumerateFiles(_dir["mine/masks"]).First(), _dir["mine/masks/stray.png"]);
        Assert.Contains("stray.png: a mask without an image", Assert.Throws<DatasetException>(() => FolderDatasetImporter.Pairs(Options() with { SkipImagesWithoutMasks = true })).Message);
    }

    [Fact]
    public void Colour_coded_masks_are_read_by_their_listed_colours_and_an_unlisted_colour_is_refused()
    {
        FolderDatasets.Write(_dir["mine"], Small);
        FolderDatasetImporter.Import(Options() with { TestList = _dir["mine/test.txt"] }, _dir["binary"]);
        // CamVid's way: each class a colour (a gray among them), the border black and ignored.
        var colourOf = new Dictionary<byte, Rgb24> { [FolderDatasets.Background] = new(128, 128, 128), [FolderDatasets.Pet] = new(64, 0, 128), [FolderDatasets.Border] = new(0, 0, 0) };
        foreach (var mask in Directory.GetFiles(_dir["mine/masks"]))
        {
            using var gray = Image.Load<L8>(mask);
            using var colour = new Image<Rgb24>(gray.Width, gray.Height);
            for (int y = 0; y < gray.Height; y++) for (int x = 0; x < gray.Width; x++) colour[x, y] = colourOf[gray[x, y].PackedValue];
            colour.SaveAsPng(mask);
        }
        var o = Options() with
        {
            TestList = _dir["mine/test.txt"], Colours = [0x808080, 0x400080, 0x000000],
            Classes = [new("background", [0]), new("pet", [1])], Ignore = [2],
        };
        var r = FolderDatasetImporter.Import(o, _dir["colours"]);
        Assert.Matches(@"^#808080 background [\d.]+ %, #400080 pet [\d.]+ %, #000000 ignored [\d.]+ %$", r.DescribeValues(o.Mapping(), o.Colours));
        foreach (var file in Directory.EnumerateFiles(_dir["binary/annotations/trimaps"])) // the same trimaps as the gray masks gave
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(_dir["colours/annotations/trimaps"], Path.GetFileName(file))));

        var stray = Directory.GetFiles(_dir["mine/masks"]).Order(StringComparer.Ordinal).First();
        using (var image = Image.Load<Rgb24>(stray)) { image[0, 0] = new Rgb24(250, 0, 0); image[1, 0] = new Rgb24(250, 0, 0); image.SaveAsPng(stray); }
        var e = Assert.Throws<DatasetException>(() => FolderDatasetImporter.Import(o, _dir["again"]));
        Assert.Contains($"{stray}: holds 1 colour(s) in no class of dataset.folder.classes: '#fa0000' (2 pixel(s)); add each to a class, or to ignore", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
