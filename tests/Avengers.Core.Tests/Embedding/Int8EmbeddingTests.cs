using System.Numerics.Tensors;
using Avengers.Embedding;
using Onnx;

namespace Avengers.Tests.Embedding;

/// <summary>The 8-bit MiniLM, rewritten from the shipped model in memory.</summary>
public class Int8EmbeddingTests(OnnxEmbeddingGeneratorTests.MiniLmFixture fixture) : IClassFixture<OnnxEmbeddingGeneratorTests.MiniLmFixture>
{
    [Fact]
    public void Every_weight_product_is_rewritten_and_nothing_else()
    {
        byte[] original = OnnxEmbeddingModel.MiniLM.LoadModel();
        (byte[] quantized, int rewritten) = Int8Quantizer.Quantize(original);
        GraphProto before = ModelProto.Parser.ParseFrom(original).Graph, after = ModelProto.Parser.ParseFrom(quantized).Graph;
        var weights = before.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        int weightProducts = before.Node.Count(n => n.OpType == "MatMul" && weights.Contains(n.Input[1]));
        Assert.Equal(36, weightProducts); // six layers: query, key, value, output, two feed-forward
        Assert.Equal(weightProducts, rewritten);
        Assert.Equal(rewritten, after.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.Equal(before.Node.Count(n => n.OpType == "MatMul") - rewritten, after.Node.Count(n => n.OpType == "MatMul")); // attention stays fp32
        Assert.Equal(quantized, Int8Quantizer.Quantize(original).Model); // deterministic
    }

    [Fact]
    public void Its_vectors_stay_close_to_MiniLMs_and_its_id_is_its_own()
    {
        EmbeddingModelSpec spec = EmbeddingModelSpec.Parse("minilm-int8");
        Assert.NotEqual(OnnxEmbeddingModel.MiniLM.Id, spec.Id);
        Assert.Contains("int8", spec.Id, StringComparison.Ordinal);
        using var int8 = (OnnxEmbeddingGenerator)spec.Create();
        string[] questions =
        [
            "How many apples does Sarah have left after giving away three?",
            "Which of the following best describes the function of mitochondria? (A) protein synthesis (B) energy production",
            "Write a Python function that reverses a linked list.",
            "Café au lait — 咖啡",
        ];
        foreach (string question in questions)
            Assert.InRange(TensorPrimitives.Dot(int8.Embed(question), fixture.Generator.Embed(question)), 0.98f, 1.0001f);
        // Still an embedding: a paraphrase stays nearer than an unrelated question.
        float[] a = int8.Embed(questions[0]), b = int8.Embed("Sarah gives away 3 apples; how many apples remain?"), c = int8.Embed(questions[2]);
        Assert.True(TensorPrimitives.Dot(a, b) > TensorPrimitives.Dot(a, c) + 0.2f);
    }
}
