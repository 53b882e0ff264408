namespace PetSeg.Training.Checkpoints;

/// <summary>
/// Where a stopped run was within an epoch, so that it resumes at the next batch with the same bits as an uninterrupted
/// run: the batches done, their losses and the running loss sum, and torch's CPU generator (dropout, drop-path), whose
/// draws cannot be replayed without the forward passes. Shuffle and augmentation draws are replayed from their seeds.
/// </summary>
/// <param name="Batches">Batches of the epoch completed (their steps are in the weights and optimizer state).</param>
/// <param name="Running">Σ batch loss × batch size over those batches.</param>
/// <param name="TorchRngState">torch.get_rng_state() after them, base64.</param>
public sealed record PartialEpoch(int Batches, IReadOnlyList<double> Losses, double Running, string TorchRngState);
