using System.Text.Json;
using Avengers.Embedding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Avengers.Tests.Embedding;

/// <summary>The OpenAI-compatible embedding option against a scripted /v1/embeddings endpoint on 127.0.0.1.</summary>
public class OpenAIEmbeddingEndpointTests
{
    [Fact]
    public async Task Openai_endpoint_embeddings_are_normalised_and_cached()
    {
        int calls = 0;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        await using WebApplication app = builder.Build();
        app.MapPost("/v1/embeddings", async (HttpContext context) =>
        {
            Interlocked.Increment(ref calls);
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body);
            JsonElement input = body.RootElement.GetProperty("input");
            string[] texts = input.ValueKind == JsonValueKind.Array ? input.EnumerateArray().Select(e => e.GetString()!).ToArray() : [input.GetString()!];
            // Unnormalised vectors: (length, 1, 0, 2) per text.
            var data = texts.Select((t, i) => new { @object = "embedding", index = i, embedding = new float[] { t.Length, 1, 0, 2 } }).ToArray();
            return Results.Json(new { @object = "list", data, model = "test-embed", usage = new { prompt_tokens = 1, total_tokens = 1 } });
        });
        await app.StartAsync();

        EmbeddingModelSpec spec = EmbeddingModelSpec.Parse($"openai:{app.Urls.First()}/v1,test-embed,4");
        using EmbeddingStack stack = await EmbeddingStack.CreateAsync(spec, Path.Combine(TestData.TempDir(), "cache.sqlite"));
        GeneratedEmbeddings<Embedding<float>> first = await stack.Generator.GenerateAsync(["abc", "hello"]);
        GeneratedEmbeddings<Embedding<float>> again = await stack.Generator.GenerateAsync(["hello"]);

        Assert.Equal(4, stack.Dimension);
        Assert.StartsWith("openai:", stack.ModelId);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(first[0].Vector.Span), 4);
        Assert.Equal(3f / MathF.Sqrt(9 + 1 + 4), first[0].Vector.Span[0], 4);
        Assert.Equal(first[1].Vector.ToArray(), again[0].Vector.ToArray());
        Assert.Equal(1, calls); // the second call was served from the cache
    }
}
