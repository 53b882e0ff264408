namespace PetSeg.Lab.Stages;

/// <summary>
/// Each stage kind's code version, part of its key. Bumped by hand when a stage's output for the same inputs would
/// change (a decoder fix, a new cache layout), so that stale artifacts are rebuilt rather than silently reused.
/// </summary>
public static class StageVersions
{
    public const string Download = "download-2";   // 2: the dataset is identified by a digest of every extracted file
    public const string Preprocess = "preprocess-3"; // 2: caches identified by their file digest; 3: the lab's pixels (OpenCV INTER_LINEAR, libjpeg-turbo decode)
    public const string Weights = "weights-2"; // 2: synthetic and pretrained MiT files start from MiT's init (TorchSharp's trunc_normal_ had set every Linear weight to 0.02)
    public const string Train = "train-3";       // 2: weights and optimizer state published as separate files; 3: per-batch losses in losses.json
    public const string Evaluate = "evaluate-4"; // 2: the trained weights named by kind in the key (seeds rename runs); 3: per-image IoU, best/worst grids; 4: Dice in metrics.json
    public const string Ensemble = "ensemble-1";
    public const string Choose = "choose-1";
    public const string Report = "report-8";     // 2: no durations or thread counts: the same bytes wherever it is built; 3: seeds, intervals, differences; 4: one loss chart, a mean-IoU bar chart; 5: per-class table; 6: best/worst grids, per-image IoU histograms; 7: per-batch smoothed loss in the loss chart; 8: per-breed table
}
