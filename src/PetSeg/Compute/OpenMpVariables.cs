namespace PetSeg.Compute;

/// <summary>The environment variables libtorch's CPU thread pool (libgomp) reads when it loads.</summary>
public static class OpenMpVariables
{
    /// <summary>How many CPU threads libtorch computes with (default: every core it can see).</summary>
    public const string Threads = "OMP_NUM_THREADS";

    /// <summary>What a thread does while it waits: ACTIVE spins, PASSIVE sleeps; unset, libgomp spins a while, then sleeps.</summary>
    public const string WaitPolicy = "OMP_WAIT_POLICY";
}
