using System.Numerics.Tensors;
using FastBertTokenizer;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Avengers.Embedding;

/// <summary>
/// Runs a BERT-style ONNX sentence-embedding model in-process and returns L2-normalised vectors
/// (so cosine similarity is a dot product). One ONNX session is shared across threads.
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int BatchSize = 32;
    private readonly OnnxEmbeddingModel _model;
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer = new();
    private readonly Lock _tokenizerLock = new();
    private readonly bool _wantsTokenTypes;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Loads the model into an ONNX Runtime session.</summary>
    /// <param name="model">The weights, vocabulary and pooling to run.</param>
    /// <param name="threads">Intra-op threads (null: ONNX Runtime's default, the machine's cores).</param>
    public OnnxEmbeddingGenerator(OnnxEmbeddingModel model, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        using (TextReader vocabulary = model.OpenVocabulary()) _tokenizer.LoadVocabulary(vocabulary, model.Lowercase);
        // One run at a time gets every core: the gateway's batcher never overlaps runs, and calibration embeds in
        // batches, so the operators' own (intra-op) threads do the work; MiniLM's graph is a chain, so parallel
        // branches (inter-op threads) would have nothing to run.
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads ?? Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model.LoadModel(), options);
        _wantsTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        _metadata = new EmbeddingGeneratorMetadata("onnx", null, model.Id, model.Dimension);
    }

    /// <summary>The model this generator runs.</summary>
    public OnnxEmbeddingModel Model => _model;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] texts = values as string[] ?? [.. values];
        var vectors = new float[texts.Length][];
        // Similar lengths share a batch so little padding is computed.
        int[] order = Enumerable.Range(0, texts.Length).OrderBy(i => texts[i].Length).ThenBy(i => i).ToArray();
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int[] batch = order[start..Math.Min(order.Length, start + BatchSize)];
            float[][] embedded = EmbedBatch(batch.Select(i => texts[i]).ToArray());
            for (int j = 0; j < batch.Length; j++) vectors[batch[j]] = embedded[j];
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = _model.Id }));
        return Task.FromResult(result);
    }

    /// <summary>Embeds one text synchronously (the hot path of routing).</summary>
    public float[] Embed(string text) => EmbedBatch([text])[0];

    private float[][] EmbedBatch(string[] texts)
    {
        var ids = new long[texts.Length][];
        lock (_tokenizerLock)
        {
            for (int i = 0; i < texts.Length; i++)
            {
                (Memory<long> inputIds, _, _) = _tokenizer.Encode(texts[i], _model.MaxTokens);
                ids[i] = inputIds.ToArray();
            }
        }
        return EmbedTokenIds(ids);
    }

    /// <summary>Runs the model on sequences already tokenised (with their [CLS] and [SEP]): the static embedder's distillation feeds single tokens this way.</summary>
    internal float[][] EmbedTokenIds(long[][] ids)
    {
        int count = ids.Length;
        int maxLength = Math.Max(1, ids.Max(s => s.Length));

        var inputIdsTensor = new DenseTensor<long>([count, maxLength]);
        var maskTensor = new DenseTensor<long>([count, maxLength]);
        for (int i = 0; i < count; i++)
        {
            for (int t = 0; t < ids[i].Length; t++)
            {
                inputIdsTensor[i, t] = ids[i][t];
                maskTensor[i, t] = 1;
            }
        }
        var inputs = new List<NamedOnnxValue>(3)
        {
            NamedOnnxValue.CreateFromTensor("input_ids", inputIdsTensor),
            NamedOnnxValue.CreateFromTensor("attention_mask", maskTensor),
        };
        if (_wantsTokenTypes) inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>([count, maxLength])));

        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> outputs = _session.Run(inputs);
        Microsoft.ML.OnnxRuntime.Tensors.Tensor<float> hidden = outputs[0].AsTensor<float>();
        int dimension = hidden.Dimensions[2];
        if (dimension != _model.Dimension)
            throw new InvalidOperationException($"model {_model.Id} produced {dimension}-dimensional vectors, expected {_model.Dimension}");
        ReadOnlySpan<float> flat = ((DenseTensor<float>)hidden).Buffer.Span;

        var result = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var vector = new float[dimension];
            int rowBase = i * maxLength * dimension;
            if (_model.Pooling == PoolingMode.Cls)
            {
                flat.Slice(rowBase, dimension).CopyTo(vector);
            }
            else
            {
                int tokens = ids[i].Length;
                for (int t = 0; t < tokens; t++) TensorPrimitives.Add(vector, flat.Slice(rowBase + t * dimension, dimension), vector);
                TensorPrimitives.Divide(vector, tokens, vector);
            }
            VectorMath.NormalizeInPlace(vector);
            result[i] = vector;
        }
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is not null ? null
         : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
         : serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
