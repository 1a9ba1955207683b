using Avengers.Ensemble;
using Avengers.Server.Gateway;
using Microsoft.Extensions.AI;

namespace Avengers.Tests.Server;

/// <summary>Each backend decorator on its own, built as a ChatClientBuilder stage over the shared scripted IChatClient.</summary>
public class BackendDecoratorTests
{
    private static ChatMessage[] Ask(string text) => [new ChatMessage(ChatRole.User, text)];

    [Fact]
    public async Task A_bounded_queue_runs_at_most_its_concurrency_and_refuses_beyond_its_queue()
    {
        var inner = new ScriptedChatClient("m", i => $"answer {i}") { Delay = _ => TimeSpan.FromMilliseconds(300) };
        IChatClient bounded = inner.AsBuilder().UseBoundedQueue("m", maxConcurrency: 1, maxQueue: 1).Build();

        Task<ChatResponse> first = bounded.GetResponseAsync(Ask("1"));
        Task<ChatResponse> second = bounded.GetResponseAsync(Ask("2")); // waits in the queue
        await Task.Delay(50);
        var refused = await Assert.ThrowsAsync<BackendBusyException>(() => bounded.GetResponseAsync(Ask("3")));

        Assert.Contains("'m' is at capacity", refused.Message);
        await Task.WhenAll(first, second);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(1, inner.MaxInFlight);
        Assert.Equal("answer 2", (await bounded.GetResponseAsync(Ask("4"))).Text); // the slots were released
    }

    [Fact]
    public async Task A_bounded_stream_holds_its_slot_until_the_stream_ends()
    {
        var inner = new ScriptedChatClient("m", _ => "a streamed answer");
        IChatClient bounded = inner.AsBuilder().UseBoundedQueue("m", maxConcurrency: 1, maxQueue: 0).Build();

        await using (IAsyncEnumerator<ChatResponseUpdate> stream = bounded.GetStreamingResponseAsync(Ask("1")).GetAsyncEnumerator())
        {
            Assert.True(await stream.MoveNextAsync());
            await Assert.ThrowsAsync<BackendBusyException>(() => bounded.GetResponseAsync(Ask("2")));
        }
        Assert.Equal("a streamed answer", (await bounded.GetResponseAsync(Ask("3"))).Text);
    }

    [Fact]
    public async Task Backend_samples_use_n_and_top_up_from_the_inner_client_when_the_backend_ignores_it()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, context) => ScriptedBackend.Answer(context, "from n")); // one choice, whatever n asks
        var inner = new ScriptedChatClient("m", i => $"single {i}");
        using var http = new HttpClient();
        IChatClient client = inner.AsBuilder().UseBackendSamples(http, new Uri(backend.BaseUrl), "m", "key").Build();
        var samples = client.GetService<IMultiSampleChatClient>()!;

        IReadOnlyList<ChatResponse> first = await samples.GetResponsesAsync(Ask("q"), 3);
        Assert.Equal(["from n", "single 0", "single 1"], first.Select(r => r.Text).Order(StringComparer.Ordinal));
        Assert.Equal(1, backend.Calls);

        IReadOnlyList<ChatResponse> second = await samples.GetResponsesAsync(Ask("q"), 3);
        Assert.Equal(3, second.Count);
        Assert.Equal(1, backend.Calls); // not asked for n again
        Assert.Equal(5, inner.Calls);
    }
}
