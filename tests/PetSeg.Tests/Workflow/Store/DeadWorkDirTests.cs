using PetSeg.Workflow.Store;

namespace PetSeg.Tests.Workflow.Store;

/// <summary>A store work folder's name says which process made it and for which stage, so a dead run's is named as it goes.</summary>
public sealed class DeadWorkDirTests
{
    [Fact]
    public void A_work_folder_name_gives_its_pid_and_stage()
    {
        const string Hex = "0123456789abcdef0123456789abcdef";
        Assert.Equal(new DeadWorkDir(4242, "train-unet-base"), DeadWorkDir.Parse($"4242-{Hex}-train-unet-base"));
        Assert.Equal(new DeadWorkDir(4242, null), DeadWorkDir.Parse($"4242-{Hex}")); // made before stages were named
        Assert.Equal(new DeadWorkDir(null, null), DeadWorkDir.Parse("0123abcd"));
        Assert.Equal(new DeadWorkDir(4242, null), DeadWorkDir.Parse("4242-short-train-x")); // not a work folder's guid
        var dead = new DeadWorkDir(4242, "train-unet-base", new DateTime(2026, 12, 7, 12, 14, 59, DateTimeKind.Utc));
        Assert.Equal("the work folder of train-unet-base, whose run (pid 4242) ended before finishing it (stopped, killed or crashed; last written 2026-12-07 12:14 UTC)",
            dead.Describe());
    }
}
