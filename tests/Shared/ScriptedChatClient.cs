using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Avengers.Tests;

/// <summary>A hand-written backend double: answers from a script, with optional delays and failures.</summary>
internal sealed class ScriptedChatClient(string model, Func<int, string> answer) : IChatClient
{
    private int _calls;
    public int Calls => _calls;
    public int Cancelled;
    public List<IReadOnlyList<ChatMessage>> Seen { get; } = [];
    public Func<int, TimeSpan>? Delay { get; init; }
    public Func<int, bool>? Fails { get; init; }
    /// <summary>What a failing call throws (default: a connection failure as the host would classify it).</summary>
    public Func<string, Exception>? Failure { get; init; }
    public float? LastTemperature { get; private set; }
    private int _inFlight, _maxInFlight;
    /// <summary>The most calls that were running at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls) - 1;
        lock (Seen) Seen.Add([.. messages]);
        LastTemperature = options?.Temperature;
        int running = Interlocked.Increment(ref _inFlight);
        for (int seen = _maxInFlight; running > seen; seen = _maxInFlight) Interlocked.CompareExchange(ref _maxInFlight, running, seen);
        try
        {
            if (Delay is not null) await Task.Delay(Delay(call), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref Cancelled);
            throw;
        }
        finally { Interlocked.Decrement(ref _inFlight); }
        if (Fails?.Invoke(call) == true) throw Failure?.Invoke(model) ?? new HttpRequestException($"{model} is down (call {call})");
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer(call))) { ModelId = model };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls) - 1;
        if (Fails?.Invoke(call) == true) throw Failure?.Invoke(model) ?? new HttpRequestException($"{model} is down (call {call})");
        string text = answer(call);
        foreach (string word in text.Split(' '))
        {
            await Task.Yield();
            if (word == "<cut>") throw new IOException($"{model} stream cut");
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ") { ModelId = model };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;
    public void Dispose() { }
}

/// <summary>Maps texts to fixed vectors: anything mentioning "math" near cluster A, the rest near cluster B.</summary>
internal sealed class KeywordEmbedder(float[] mathVector, float[] otherVector) : IEmbeddingGenerator<string, Embedding<float>>
{
    public List<string> Seen { get; } = [];

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        Seen.AddRange(list);
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(v => new Embedding<float>(v.Contains("math", StringComparison.OrdinalIgnoreCase) ? mathVector : otherVector))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;
    public void Dispose() { }
}
