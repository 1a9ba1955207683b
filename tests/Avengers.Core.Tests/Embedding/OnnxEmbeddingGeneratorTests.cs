using System.Numerics.Tensors;
using Avengers.Embedding;
using Microsoft.Extensions.AI;

namespace Avengers.Tests.Embedding;

/// <summary>Runs the real all-MiniLM-L6-v2 model shipped in the NuGet package (no download).</summary>
public class OnnxEmbeddingGeneratorTests : IClassFixture<OnnxEmbeddingGeneratorTests.MiniLmFixture>
{
    public sealed class MiniLmFixture : IDisposable
    {
        public OnnxEmbeddingGenerator Generator { get; } = new(OnnxEmbeddingModel.MiniLM);
        public void Dispose() => Generator.Dispose();
    }

    private readonly OnnxEmbeddingGenerator _generator;

    public OnnxEmbeddingGeneratorTests(MiniLmFixture fixture) => _generator = fixture.Generator;

    [Fact]
    public async Task Vectors_are_unit_length_with_the_model_dimension()
    {
        GeneratedEmbeddings<Embedding<float>> result = await _generator.GenerateAsync(["What is 2 + 2?", "Café au lait — 咖啡", ""]);
        Assert.Equal(3, result.Count);
        foreach (Embedding<float> e in result)
        {
            Assert.Equal(384, e.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(e.Vector.Span), 3);
        }
    }

    [Fact]
    public void Paraphrases_are_closer_than_unrelated_questions()
    {
        float[] a = _generator.Embed("How many apples does Sarah have left after giving away three?");
        float[] b = _generator.Embed("Sarah gives away 3 apples; how many apples remain?");
        float[] c = _generator.Embed("Write a Python function that reverses a linked list.");
        float same = TensorPrimitives.Dot(a, b), different = TensorPrimitives.Dot(a, c);
        Assert.True(same > different + 0.2f, $"paraphrase {same:F3} vs unrelated {different:F3}");
    }

    [Fact]
    public async Task Batched_and_single_embeddings_agree()
    {
        string[] texts = ["short", "a somewhat longer sentence about routing language models", "x + y = z"];
        GeneratedEmbeddings<Embedding<float>> batch = await _generator.GenerateAsync(texts);
        for (int i = 0; i < texts.Length; i++)
            Assert.True(TensorPrimitives.Dot(batch[i].Vector.Span, _generator.Embed(texts[i])) > 0.9999f);
    }

    [Fact]
    public void Non_ascii_text_is_not_mangled()
    {
        // The tokenizer keeps accents and symbols: these must not collapse onto one [UNK] vector.
        float[] cafe = _generator.Embed("Café");
        float[] math = _generator.Embed("x + y = z");
        float[] math2 = _generator.Embed("x - y = z");
        Assert.True(TensorPrimitives.Dot(cafe, math) < 0.9f);
        Assert.True(TensorPrimitives.Dot(math, math2) < 0.9999f, "+ and - must tokenise differently");
    }

    [Fact]
    public async Task Cache_serves_repeats_without_the_model()
    {
        string path = Path.Combine(TestData.TempDir(), "cache.sqlite");
        using (var cache = new SqliteEmbeddingCache(path))
        {
            var caching = new CachingEmbeddingGenerator(_generator, cache, "minilm-test", 384);
            GeneratedEmbeddings<Embedding<float>> first = await caching.GenerateAsync(["alpha", "beta"]);
            GeneratedEmbeddings<Embedding<float>> second = await caching.GenerateAsync(["beta", "gamma"]);
            Assert.Equal(3, caching.Misses);
            Assert.Equal(first[1].Vector.ToArray(), second[0].Vector.ToArray());
        }
        using (var reopened = new SqliteEmbeddingCache(path))
        {
            float[]?[] found = reopened.TryGetMany("minilm-test", ["alpha", "delta"], 384);
            Assert.NotNull(found[0]);
            Assert.Null(found[1]);
            Assert.Null(reopened.TryGetMany("other-model", ["alpha"], 384)[0]); // keyed by model id
        }
    }

    [Fact]
    public async Task Repeats_come_from_memory_and_the_memory_tier_keeps_to_its_bytes()
    {
        string path = Path.Combine(TestData.TempDir(), "cache.sqlite");
        using var cache = new SqliteEmbeddingCache(path);
        var caching = new CachingEmbeddingGenerator(_generator, cache, "minilm-test", 384);
        GeneratedEmbeddings<Embedding<float>> first = await caching.GenerateAsync(["alpha", "beta"]);
        GeneratedEmbeddings<Embedding<float>> again = await caching.GenerateAsync(["beta", "alpha"]);
        Assert.Equal(2, caching.StoreReads); // only the first call looked in the file
        Assert.Equal(2, caching.Misses);
        Assert.Equal(first[0].Vector.ToArray(), again[1].Vector.ToArray());
        Assert.Equal(EmbeddingCacheTier.Local, again[0].AdditionalProperties![EmbeddingCacheTier.Key]);

        // A memory tier smaller than one vector keeps none: every repeat reads the file, and still no text is embedded twice.
        var tiny = new CachingEmbeddingGenerator(_generator, cache, "minilm-test", 384, memoryBytes: 100);
        await tiny.GenerateAsync(["alpha"]);
        await tiny.GenerateAsync(["alpha"]);
        Assert.Equal(2, tiny.StoreReads);
        Assert.Equal(0, tiny.Misses);
    }

    [Fact]
    public void Unknown_embedding_spec_lists_what_is_accepted()
    {
        var error = Assert.Throws<ArgumentException>(() => EmbeddingModelSpec.Parse("bert-huge"));
        Assert.Contains("minilm", error.Message);
        Assert.Contains("openai:BASE_URL,MODEL", error.Message);
        Assert.Throws<ArgumentException>(() => EmbeddingModelSpec.Parse("openai:not a url"));
        Assert.Throws<FileNotFoundException>(() => EmbeddingModelSpec.Parse("onnx:/nope.onnx,/nope.txt,mean,384"));
    }
}

public class TruncatedEmbeddingSpecTests
{
    [Fact]
    public void A_cut_model_is_a_model_of_its_own_that_reads_only_the_first_tokens()
    {
        EmbeddingModelSpec cut = EmbeddingModelSpec.Parse("minilm@16");
        Assert.Equal(OnnxEmbeddingModel.MiniLM.Id + "@16", cut.Id);
        using var generator = (OnnxEmbeddingGenerator)cut.Create();
        string head = "How many apples does Sarah have left if she gives three of her ten apples to Tom and two more to her sister Anna?";
        // Past the cut, nothing changes the vector; within it, the full model sees the difference.
        float[] a = generator.Embed(head + " She also likes pears and plums and cherries very much indeed.");
        float[] b = generator.Embed(head + " Completely different trailing words about the history of Rome and its emperors.");
        Assert.Equal(a, b);
        using var full = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLM);
        Assert.NotEqual(full.Embed(head + " She also likes pears."), full.Embed(head + " Rome had emperors."));
    }

    [Theory]
    [InlineData("minilm@4")]
    [InlineData("minilm@999")]
    [InlineData("minilm@abc")]
    public void A_cut_outside_the_models_length_is_refused(string spec)
        => Assert.Contains("from 8 to 256", Assert.Throws<ArgumentException>(() => EmbeddingModelSpec.Parse(spec)).Message);
}
