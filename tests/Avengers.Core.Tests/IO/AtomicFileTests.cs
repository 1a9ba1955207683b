using Avengers.Calibration;
using Avengers.IO;
using Avengers.Routing;

namespace Avengers.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        string dir = TestData.TempDir();
        string path = Path.Combine(dir, "results.json");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new"u8);
            throw new InvalidOperationException("killed");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["results.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Leftovers_of_a_killed_save_neither_block_the_next_nor_stay_forever()
    {
        string dir = TestData.TempDir();
        string path = Path.Combine(dir, "router.avengers");
        // What a save killed mid-write leaves behind: its temporary file (and the old naming, X.tmp).
        string leftover = Path.Combine(dir, ".router.avengers.4242.0123456789abcdef.tmp");
        File.WriteAllText(leftover, "partial zip");
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow - TimeSpan.FromHours(1));
        File.WriteAllText(path + ".tmp", "partial zip");

        CalibrationResult calibrated = Avengers.Tests.Routing.RouterArtifactTests.Calibrated();
        calibrated.Artifact.Save(path);
        Assert.NotNull(RouterArtifact.Load(path));
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public async Task Concurrent_saves_to_one_path_all_succeed_and_leave_a_whole_file()
    {
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        CalibrationResult calibrated = Avengers.Tests.Routing.RouterArtifactTests.Calibrated();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => calibrated.Artifact.Save(path))));
        RouterArtifact loaded = RouterArtifact.Load(path);
        Assert.Equal(calibrated.Artifact.Manifest.Selected, loaded.Manifest.Selected);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
