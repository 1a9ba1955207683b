using Avengers.Embedding;

namespace Avengers.Tests.Embedding;

/// <summary>The static embedder distilled from the shipped MiniLM (once for this class: tens of seconds).</summary>
public sealed class StaticEmbeddingFixture
{
    public string Folder { get; } = TestData.TempDir();
    public List<string> Log { get; } = [];
    public StaticEmbeddingModel Model { get; }

    public StaticEmbeddingFixture() => Model = StaticEmbeddingModel.LoadOrDistill(OnnxEmbeddingModel.MiniLM, Folder, progress: Log.Add);
}

public class StaticEmbeddingTests(StaticEmbeddingFixture fixture) : IClassFixture<StaticEmbeddingFixture>
{
    private static float Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    [Fact]
    public void The_table_is_built_once_kept_and_reloaded_identically()
    {
        Assert.Contains(fixture.Log, l => l.StartsWith("distilling the static embedder", StringComparison.Ordinal));
        Assert.Equal(StaticEmbeddingModel.IdFor(OnnxEmbeddingModel.MiniLM), fixture.Model.Id);
        Assert.Equal((30522, 256), (fixture.Model.VocabularySize, fixture.Model.Dimension));
        var log = new List<string>();
        StaticEmbeddingModel again = StaticEmbeddingModel.LoadOrDistill(OnnxEmbeddingModel.MiniLM, fixture.Folder, progress: log.Add);
        Assert.Empty(log); // read from the file, not distilled again
        Assert.Equal(fixture.Model.Table, again.Table);
    }

    [Fact]
    public void A_damaged_table_file_is_distilled_again_not_trusted()
    {
        string folder = TestData.TempDir();
        string file = StaticEmbeddingModel.FileFor(folder, OnnxEmbeddingModel.MiniLM);
        File.Copy(StaticEmbeddingModel.FileFor(fixture.Folder, OnnxEmbeddingModel.MiniLM), file);
        using (var stream = new FileStream(file, FileMode.Open)) stream.SetLength(stream.Length - 100);
        var log = new List<string>();
        StaticEmbeddingModel repaired = StaticEmbeddingModel.LoadOrDistill(OnnxEmbeddingModel.MiniLM, folder, progress: log.Add);
        Assert.Contains(log, l => l.Contains("cut short", StringComparison.Ordinal));
        Assert.Equal(fixture.Model.Table, repaired.Table); // deterministic: the same table again
    }

    [Fact]
    public async Task Questions_on_one_topic_embed_closer_than_questions_on_another()
    {
        using var generator = new StaticEmbeddingGenerator(fixture.Model);
        string[] texts =
        [
            "What is 17 times 23?", "Compute the sum of 45 and 19.",
            "Write a Python function that reverses a linked list.", "Implement binary search in Java.",
        ];
        float[][] v = [.. (await generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray())];
        Assert.All(v, x => Assert.Equal(1, System.Numerics.Tensors.TensorPrimitives.Norm(x), 3));
        Assert.True(Cosine(v[0], v[1]) > Cosine(v[0], v[2]) && Cosine(v[0], v[1]) > Cosine(v[0], v[3]));
        Assert.True(Cosine(v[2], v[3]) > Cosine(v[2], v[0]) && Cosine(v[2], v[3]) > Cosine(v[2], v[1]));
        // Special tokens carry nothing, and an empty text is a zero vector rather than an error.
        Assert.All(generator.Embed(""), x => Assert.Equal(0, x));
    }

    [Fact]
    public void Its_id_differs_from_minilms_so_routers_never_mix_them()
    {
        EmbeddingModelSpec spec = EmbeddingModelSpec.Parse("minilm-static");
        Assert.NotEqual(EmbeddingModelSpec.Parse("minilm").Id, spec.Id);
        Assert.Equal(256, spec.Dimension);
        Assert.Contains("all-MiniLM-L6-v2", spec.Id);
    }
}
