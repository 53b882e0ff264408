namespace PetSeg.Lab.Config;

/// <summary>
/// <c>weights.pretrain</c>: the synthetic pets the "pretrain" source trains encoders on (their own seed, so none of
/// them is in the experiments' data) and how long. Pictures have <c>dataset.synthetic</c>'s sizes and are resized to
/// <c>preprocess.image_size</c>; the trainval half (<see cref="Count"/> / 2 pairs) trains.
/// </summary>
public sealed record PretrainConfig(int Count = 256, int Seed = 8, int Epochs = 4, double Lr = 1e-3, int BatchSize = 16);
