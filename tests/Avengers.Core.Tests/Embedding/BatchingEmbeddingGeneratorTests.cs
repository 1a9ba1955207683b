using Avengers.Embedding;
using Microsoft.Extensions.AI;

namespace Avengers.Tests.Embedding;

/// <summary>Concurrent single questions share model runs; cancellation and failures stay with their own callers.</summary>
public class BatchingEmbeddingGeneratorTests
{
    /// <summary>A model that records each run's batch and takes a while per run (so that others queue meanwhile).</summary>
    private sealed class RecordingModel(TimeSpan perRun, Func<string, bool>? failsOn = null) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<int> Runs { get; } = [];
        /// <summary>When set, the first run signals <see cref="FirstRunStarted"/> and waits for this before it ends.</summary>
        public TaskCompletionSource? HoldFirstRun { get; init; }
        public TaskCompletionSource FirstRunStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            string[] texts = [.. values];
            bool first;
            lock (Runs) { first = Runs.Count == 0; Runs.Add(texts.Length); }
            if (first && HoldFirstRun is not null)
            {
                FirstRunStarted.TrySetResult();
                await HoldFirstRun.Task;
            }
            await Task.Delay(perRun, cancellationToken);
            if (failsOn is not null && texts.Any(failsOn)) throw new InvalidOperationException("the model ran out of memory");
            return [.. texts.Select(t => new Embedding<float>(new float[] { t.Length, t.GetHashCode() % 1000 }))];
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    [Fact]
    public async Task Concurrent_questions_share_runs_and_each_caller_gets_its_own_vector()
    {
        var model = new RecordingModel(TimeSpan.FromMilliseconds(30));
        using var batching = new BatchingEmbeddingGenerator(model, new EmbeddingBatchOptions { MaxBatch = 16 });
        string[] questions = [.. Enumerable.Range(0, 40).Select(i => new string('q', i + 1))];

        Embedding<float>[] vectors = await Task.WhenAll(questions.Select(async q => (await batching.GenerateAsync([q]))[0]));

        for (int i = 0; i < questions.Length; i++) Assert.Equal(questions[i].Length, vectors[i].Vector.Span[0]);
        Assert.Equal(40, model.Runs.Sum());
        Assert.True(model.Runs.Count <= 10, $"{model.Runs.Count} runs for 40 concurrent questions: {string.Join(",", model.Runs)}");
        Assert.All(model.Runs, size => Assert.InRange(size, 1, 16));
        Assert.Equal((model.Runs.Count, 40L), batching.Stats);
    }

    [Fact]
    public async Task A_question_alone_is_not_held_back_and_a_wait_window_gathers_more()
    {
        var model = new RecordingModel(TimeSpan.Zero);
        using (var greedy = new BatchingEmbeddingGenerator(model))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await greedy.GenerateAsync(["alone"]);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
        }
        var windowed = new RecordingModel(TimeSpan.Zero);
        using var gathering = new BatchingEmbeddingGenerator(windowed, new EmbeddingBatchOptions { MaxWait = TimeSpan.FromMilliseconds(200) });
        Task first = gathering.GenerateAsync(["first"]);
        await Task.Delay(20);
        Task second = gathering.GenerateAsync(["second"]);
        await Task.WhenAll(first, second);
        Assert.Equal([2], windowed.Runs); // both in one run: the second arrived within the first's wait
    }

    [Fact]
    public async Task A_cancelled_caller_leaves_the_queue_and_the_others_are_answered()
    {
        var hold = new TaskCompletionSource();
        var model = new RecordingModel(TimeSpan.Zero) { HoldFirstRun = hold };
        using var batching = new BatchingEmbeddingGenerator(model, new EmbeddingBatchOptions { MaxBatch = 4 });
        Task busy = batching.GenerateAsync(["occupies the model"]);
        await model.FirstRunStarted.Task; // the consumer is inside the first run: the next two queue behind it
        using var cancel = new CancellationTokenSource();
        Task<GeneratedEmbeddings<Embedding<float>>> leaving = batching.GenerateAsync(["leaves"], cancellationToken: cancel.Token);
        Task<GeneratedEmbeddings<Embedding<float>>> staying = batching.GenerateAsync(["stays"]);
        await cancel.CancelAsync();
        hold.SetResult();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal("stays".Length, (await staying)[0].Vector.Span[0]);
        await busy;
        Assert.Equal(2, model.Runs.Sum()); // the cancelled question never reached the model
    }

    [Fact]
    public async Task A_failed_run_fails_only_its_batch_clearly()
    {
        var hold = new TaskCompletionSource();
        var model = new RecordingModel(TimeSpan.Zero, failsOn: t => t == "poison") { HoldFirstRun = hold };
        using var batching = new BatchingEmbeddingGenerator(model, new EmbeddingBatchOptions { MaxBatch = 8 });
        Task busy = batching.GenerateAsync(["first"]);
        await model.FirstRunStarted.Task;
        Task poisoned = batching.GenerateAsync(["poison"]);
        Task neighbour = batching.GenerateAsync(["same batch"]);
        hold.SetResult();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => poisoned);
        Assert.Contains("the embedding model failed on a batch of 2 question(s): the model ran out of memory", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => neighbour);
        await busy;
        Assert.Equal(5, (await batching.GenerateAsync(["after"]))[0].Vector.Span[0]); // the next batch runs as usual
    }

    [Fact]
    public async Task Batched_minilm_vectors_equal_the_ones_computed_alone()
    {
        var model = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.BuiltIn["minilm"]);
        using var batching = new BatchingEmbeddingGenerator(model);
        string[] questions = ["What is 2 plus 2?", "Name the capital of France.", "Write a Python function that reverses a string, please.", "Café? 答案 🙂"];
        Embedding<float>[] batched = await Task.WhenAll(questions.Select(async q => (await batching.GenerateAsync([q]))[0]));
        for (int i = 0; i < questions.Length; i++)
        {
            float[] alone = model.Embed(questions[i]);
            float dot = 0;
            for (int d = 0; d < alone.Length; d++) dot += alone[d] * batched[i].Vector.Span[d];
            Assert.True(dot > 0.9999f, $"question {i}: cosine {dot}"); // padding to the batch's longest changes nothing
        }
    }
}
