namespace PetSeg.IO;

/// <summary>Copies a stream in 1 MiB blocks, reporting each block's size (remote transfers, local copies of downloads).</summary>
public static class StreamCopy
{
    public static async Task WithProgress(Stream src, Stream dst, Action<long> progress, CancellationToken ct)
    {
        var buffer = new byte[1 << 20];
        int n;
        while ((n = await src.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            await dst.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            progress(n);
        }
    }
}
