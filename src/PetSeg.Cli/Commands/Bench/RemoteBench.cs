using System.ComponentModel;
using System.Diagnostics;

namespace PetSeg.Cli.Commands.Bench;

[Description("Push and pull of one object through a remote (upload; download + SHA-256 check, as a pull does), MB/s.")]
public sealed class RemoteBench : BenchCommand<RemoteBenchSettings>
{
    protected override int Measure(RemoteBenchSettings s, CancellationToken ct)
    {
        var file = Path.Combine(s.WorkDir, $"remote-{s.MiB}.bin");
        if (!File.Exists(file) || new FileInfo(file).Length != (long)s.MiB << 20)
        {
            var buffer = new byte[1 << 20];
            using var f = File.Create(file);
            for (int i = 0; i < s.MiB; i++) { System.Security.Cryptography.RandomNumberGenerator.Fill(buffer); f.Write(buffer); }
        }
        using var remote = PetSeg.Workflow.Remote.RemoteRegistry.Open(new PetSeg.Workflow.Remote.RemoteConfig("bench", s.Url, s.Endpoint));
        var key = $"bench/{Guid.NewGuid():N}";
        double mb = s.MiB * 1.048576;
        var sw = Stopwatch.StartNew();
        remote.PutAsync(key, file, _ => { }, ct).GetAwaiter().GetResult();
        var put = sw.Elapsed.TotalSeconds;
        var back = file + ".back";
        File.Delete(back);
        sw.Restart();
        remote.GetAsync(key, back, _ => { }, ct).GetAwaiter().GetResult();
        using (var b = File.OpenRead(back)) System.Security.Cryptography.SHA256.HashData(b);
        var get = sw.Elapsed.TotalSeconds;
        File.Delete(back);
        System.Console.WriteLine($"remote {remote.Description}: {s.MiB} MiB push {put:F2} s ({mb / put:F0} MB/s), pull + SHA-256 {get:F2} s ({mb / get:F0} MB/s)");
        return 0;
    }
}
