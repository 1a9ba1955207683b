using System.Diagnostics.Metrics;
using Avengers.Ensemble;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Avengers.Tests.Ensemble;

/// <summary>The ensemble as a ChatClientBuilder stage, against the shared scripted IChatClient.</summary>
public class EnsembleBuilderTests
{
    private static ChatMessage[] Ask(string text) => [new ChatMessage(ChatRole.User, text)];

    [Fact]
    public async Task The_members_answer_and_the_inner_client_is_left_alone()
    {
        var (router, embedder) = EnsembleChatClientTests.Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "The answer is 4.");
        var beta = new ScriptedChatClient("beta", _ => "The answer is 5.");
        var large = new ScriptedChatClient("large", _ => "The answer is 9.");

        IChatClient chat = new ChatClientBuilder(large)
            .UseAvengersEnsemble(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = beta }, router, embedder)
            .Build();
        ChatResponse response = await chat.GetResponseAsync(Ask("math: what is 2 + 2?"));

        Assert.Equal("The answer is 4.", response.Text);
        Assert.Equal(0, large.Calls);
        Assert.NotNull(chat.GetService<EnsembleChatClient>());
    }

    [Fact]
    public async Task When_every_ranked_member_fails_the_inner_client_answers_streamed_or_not()
    {
        var (router, embedder) = EnsembleChatClientTests.Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "unused") { Fails = _ => true };
        var beta = new ScriptedChatClient("beta", _ => "unused") { Fails = _ => true };
        var large = new ScriptedChatClient("large", _ => "The answer is 9.");
        IChatClient chat = new ChatClientBuilder(large)
            .UseAvengersEnsemble(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = beta }, router, embedder)
            .Build();

        Assert.Equal("The answer is 9.", (await chat.GetResponseAsync(Ask("math: what is 2 + 2?"))).Text);
        string streamed = string.Concat(await chat.GetStreamingResponseAsync(Ask("math: what is 2 + 2?")).Select(u => u.Text).ToListAsync());
        Assert.Equal("The answer is 9.", streamed.Trim());
        Assert.Equal(2, large.Calls);
        Assert.True(alpha.Calls > 0 && beta.Calls > 0);
    }

    [Fact]
    public async Task Busy_members_are_not_a_failure_to_hide_behind_the_inner_client()
    {
        var (router, embedder) = EnsembleChatClientTests.Setup();
        var busy = new BusyChatClient();
        var large = new ScriptedChatClient("large", _ => "The answer is 9.");
        IChatClient chat = new ChatClientBuilder(large)
            .UseAvengersEnsemble(new Dictionary<string, IChatClient> { ["alpha"] = busy, ["beta"] = busy }, router, embedder)
            .Build();

        var error = await Assert.ThrowsAsync<EnsembleException>(() => chat.GetResponseAsync(Ask("math: what is 2 + 2?")));
        Assert.True(error.AllBusy);
        Assert.Equal(0, large.Calls);
    }

    [Fact]
    public async Task Metrics_go_to_the_meter_of_the_hosts_own_factory()
    {
        var (router, embedder) = EnsembleChatClientTests.Setup();
        using ServiceProvider host = new ServiceCollection().AddMetrics().AddSingleton(p => new EnsembleMetrics(p.GetRequiredService<IMeterFactory>())).BuildServiceProvider();
        using ServiceProvider other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory hostMeters = host.GetRequiredService<IMeterFactory>();
        long decisions = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Scope == hostMeters && instrument.Name == "avengers.decisions") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref decisions, value));
        listener.Start();

        var alpha = new ScriptedChatClient("alpha", _ => "The answer is 4.");
        IChatClient chat = new ChatClientBuilder(new ScriptedChatClient("large", _ => ""))
            .UseAvengersEnsemble(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = alpha }, router, embedder)
            .Build(host);
        await chat.GetResponseAsync(Ask("math: what is 2 + 2?"));
        await chat.GetResponseAsync(Ask("other: name a colour"));

        Assert.Equal(2, Interlocked.Read(ref decisions));
        // A second host's meters are its own: nothing it creates is seen by a listener scoped to the first.
        using var unrelated = new EnsembleMetrics(other.GetRequiredService<IMeterFactory>());
        Assert.Equal(2, Interlocked.Read(ref decisions));
    }

    private sealed class BusyChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new BackendBusyException("at capacity");
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new BackendBusyException("at capacity");
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
