using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Ensemble;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;
using Microsoft.Extensions.AI;

namespace Avengers.Tests.Ensemble;

public class EnsembleChatClientTests
{
    /// <summary>Two planted clusters: "alpha" is best on the first (math), "beta" on the second, "gamma" third everywhere.</summary>
    internal static (ClusterRouter Router, KeywordEmbedder Embedder) Setup()
    {
        const int d = 8;
        var data = new List<float>();
        var truth = new List<int>();
        var random = new Random(5);
        for (int i = 0; i < 40; i++)
        {
            int c = i % 2;
            var v = new float[d];
            v[c] = 1;
            for (int t = 0; t < d; t++) v[t] += 0.05f * TestData.Gaussian(random);
            TestData.Normalize(v);
            data.AddRange(v);
            truth.Add(c);
        }
        var points = new VectorSet([.. data], d);
        string[] models = ["alpha", "beta", "gamma"];
        var correctness = new CorrectnessMatrix(models, points.Count);
        for (int i = 0; i < points.Count; i++)
        {
            correctness[i, 0] = truth[i] == 0 ? 1 : 0.2;
            correctness[i, 1] = truth[i] == 1 ? 1 : 0.2;
            correctness[i, 2] = 0.5;
        }
        CalibrationResult calibrated = Calibrator.Calibrate(points, correctness, new CalibrationOptions { K = 2 },
            new RouterManifest.EmbeddingInfo("keyword", d), new RouterManifest.DataInfo("planted", "00", points.Count, 0));
        var mathVector = new float[d]; mathVector[0] = 1;
        var otherVector = new float[d]; otherVector[1] = 1;
        return (new ClusterRouter(calibrated.Artifact), new KeywordEmbedder(mathVector, otherVector));
    }

    private static ChatMessage[] Ask(string text) => [new ChatMessage(ChatRole.User, text)];

    [Fact]
    public async Task Self_consistency_returns_the_majority_answer_of_the_routed_model()
    {
        var (router, embedder) = Setup();
        string[] script = ["The answer is (B).", "The answer is (C).", "The answer is (C).", "I think the answer is (C).", "The answer is (B)."];
        var alpha = new ScriptedChatClient("alpha", i => script[i % script.Length]);
        var beta = new ScriptedChatClient("beta", _ => "The answer is (A).");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = beta }, router, embedder,
            new EnsembleSettings { Samples = 5, Adaptive = false });

        ChatResponse response = await client.GetResponseAsync(Ask("A math question: which option?"));

        Assert.Equal("The answer is (C).", response.Text);
        var decision = Assert.IsType<EnsembleDecision>(response.AdditionalProperties![SettingsOverrides.Key]);
        Assert.Equal("alpha", decision.ChosenModel);
        Assert.Equal("alpha", decision.Models[0].Model);
        Assert.Equal("C", decision.Winner);
        Assert.Equal("choice", decision.AnswerType);
        Assert.Equal(3, decision.Tally[0].Votes);
        Assert.Equal((5, 5, 0), (decision.SamplesRequested, decision.SamplesUsed, decision.SamplesFailed));
        Assert.Equal(5, alpha.Calls);
        Assert.Equal(0, beta.Calls);
        Assert.Equal(0.7f, alpha.LastTemperature);
    }

    [Fact]
    public async Task Adaptive_stopping_weighs_the_votes_as_the_weighted_vote_does()
    {
        // On the math cluster alpha is accurate (a heavy vote), beta and gamma are not. beta and gamma answer first,
        // alike: counted one vote each, they would look decided before alpha answers; weighted, they are not.
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "The answer is (B).") { Delay = _ => TimeSpan.FromMilliseconds(300) };
        var beta = new ScriptedChatClient("beta", _ => "The answer is (C).");
        var gamma = new ScriptedChatClient("gamma", _ => "The answer is (C).");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = beta, ["gamma"] = gamma }, router, embedder,
            new EnsembleSettings
            {
                Strategy = EnsembleStrategy.Vote,
                TopN = 3,
                Samples = 3,
                Adaptive = true,
                Policy = new EnsemblePolicy { Strategy = "vote", TopN = 3, WeightedVote = true, TopK = 1 },
            });

        ChatResponse response = await client.GetResponseAsync(Ask("A math question: which option?"));

        var decision = Assert.IsType<EnsembleDecision>(response.AdditionalProperties![SettingsOverrides.Key]);
        Assert.Equal("alpha", decision.Models[0].Model);
        Assert.Equal("B", decision.Winner);          // what the offline weighted vote over all three gives
        Assert.Equal(0, alpha.Cancelled);             // alpha was waited for, not cancelled as "decided"
        Assert.Equal("The answer is (B).", response.Text);
    }

    [Fact]
    public async Task Multi_model_vote_spreads_samples_over_top_n_models()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "#### 12");
        var beta = new ScriptedChatClient("beta", _ => "so \\boxed{13}");
        var gamma = new ScriptedChatClient("gamma", _ => "\\boxed{13}");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = beta, ["gamma"] = gamma }, router, embedder,
            new EnsembleSettings { Samples = 6, TopN = 3, Adaptive = false });

        ChatResponse response = await client.GetResponseAsync(Ask("math: 6 + 7?"));

        Assert.Equal((2, 2, 2), (alpha.Calls, beta.Calls, gamma.Calls));
        var decision = (EnsembleDecision)response.AdditionalProperties![SettingsOverrides.Key]!;
        Assert.Equal("13", decision.Winner); // 4 votes to 2
        Assert.Equal("math", decision.AnswerType);
        Assert.NotEqual("alpha", decision.ChosenModel);
    }

    [Fact]
    public async Task Adaptive_voting_stops_once_the_leader_cannot_be_overtaken()
    {
        var (router, embedder) = Setup();
        // Six calls answer at once; the other four would take 30 s unless cancelled.
        var alpha = new ScriptedChatClient("alpha", _ => "The answer is (D).") { Delay = i => i < 6 ? TimeSpan.Zero : TimeSpan.FromSeconds(30) };
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha }, router, embedder,
            new EnsembleSettings { Samples = 10 });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        ChatResponse response = await client.GetResponseAsync(Ask("math multiple choice"));

        var decision = (EnsembleDecision)response.AdditionalProperties![SettingsOverrides.Key]!;
        Assert.Equal("D", decision.Winner);
        Assert.Equal(6, decision.SamplesUsed);      // 6 agreeing votes beat 0 + 4 outstanding
        Assert.Equal(4, decision.SamplesSaved);
        Assert.Equal(4, alpha.Cancelled);           // the outstanding calls were really cancelled
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_vote_that_loses_samples_answers_from_the_rest_and_says_so()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", i => i < 2 ? "The answer is (A)." : "The answer is (B).") { Fails = i => i >= 3 };
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha }, router, embedder,
            new EnsembleSettings { Samples = 6, Adaptive = false });

        ChatResponse response = await client.GetResponseAsync(Ask("math"));

        var decision = (EnsembleDecision)response.AdditionalProperties![SettingsOverrides.Key]!;
        Assert.Equal((6, 3, 3), (decision.SamplesRequested, decision.SamplesUsed, decision.SamplesFailed));
        Assert.Equal("A", decision.Winner);
        Assert.Contains(decision.Notes, n => n.Contains("3 of 6 samples failed"));
    }

    [Fact]
    public async Task Direct_falls_back_to_the_next_ranked_model_when_the_top_one_fails()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "unused") { Fails = _ => true };
        var gamma = new ScriptedChatClient("gamma", _ => "fallback answer");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["gamma"] = gamma }, router, embedder,
            new EnsembleSettings { Strategy = EnsembleStrategy.Direct });

        ChatResponse response = await client.GetResponseAsync(Ask("math"));

        Assert.Equal("fallback answer", response.Text);
        var decision = (EnsembleDecision)response.AdditionalProperties![SettingsOverrides.Key]!;
        Assert.Equal("gamma", decision.ChosenModel);
        // The note names the model and a status class; the backend's own text stays in the log.
        Assert.Contains(decision.Notes, n => n.StartsWith("alpha: ", StringComparison.Ordinal));
        Assert.DoesNotContain(decision.Notes, n => n.Contains("alpha is down"));
    }

    [Fact]
    public async Task A_request_a_backend_refused_is_not_sent_to_the_next_model_but_a_backend_fault_is()
    {
        var (router, embedder) = Setup();
        var gamma = new ScriptedChatClient("gamma", _ => "fallback answer");
        var refusing = new ScriptedChatClient("alpha", _ => "unused") { Fails = _ => true, Failure = m => new BackendException("HTTP 400 (bad request)", $"{m}: bad body", 400, refused: true) };
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = refusing, ["gamma"] = gamma }, router, embedder,
            new EnsembleSettings { Strategy = EnsembleStrategy.Direct });
        var error = await Assert.ThrowsAsync<EnsembleException>(() => client.GetResponseAsync(Ask("math")));
        Assert.Equal(400, error.RejectedWithStatus);
        Assert.Equal(0, gamma.Calls);

        var failing = new ScriptedChatClient("alpha", _ => "unused") { Fails = _ => true, Failure = m => new BackendException("HTTP 502 (server error)", $"{m}: upstream", 502) };
        client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = failing, ["gamma"] = gamma }, router, embedder,
            new EnsembleSettings { Strategy = EnsembleStrategy.Direct });
        ChatResponse response = await client.GetResponseAsync(Ask("math"));
        Assert.Equal("fallback answer", response.Text);
        Assert.Contains(((EnsembleDecision)response.AdditionalProperties![SettingsOverrides.Key]!).Notes, n => n == "alpha: HTTP 502 (server error)");
    }

    [Fact]
    public async Task Every_backend_failing_is_one_clear_error()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "") { Fails = _ => true };
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha }, router, embedder, new EnsembleSettings { Samples = 3 });
        var error = await Assert.ThrowsAsync<EnsembleException>(() => client.GetResponseAsync(Ask("math")));
        Assert.Contains("alpha", error.Message);
    }

    [Fact]
    public async Task Free_text_is_not_voted_on()
    {
        var (router, embedder) = Setup();
        var beta = new ScriptedChatClient("beta", i => $"Paris is lovely in spring, version {i}.");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["beta"] = beta }, router, embedder, new EnsembleSettings { Samples = 3 });

        ChatResponse response = await client.GetResponseAsync(Ask("Tell me about Paris"));

        Assert.Equal("Paris is lovely in spring, version 0.", response.Text);
        var decision = (EnsembleDecision)response.AdditionalProperties![SettingsOverrides.Key]!;
        Assert.Equal("text", decision.AnswerType);
        Assert.Contains(decision.Notes, n => n.Contains("not voted on"));
    }

    [Fact]
    public async Task Routes_on_the_last_user_turn_and_sends_the_whole_history()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "The answer is (A).");
        var beta = new ScriptedChatClient("beta", _ => "The answer is (B).");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = beta }, router, embedder,
            new EnsembleSettings { Strategy = EnsembleStrategy.Direct });
        ChatMessage[] history =
        [
            new(ChatRole.System, "be brief"), new(ChatRole.User, "a math question first"),
            new(ChatRole.Assistant, "ok"), new(ChatRole.User, "now something about poetry"),
        ];

        ChatResponse response = await client.GetResponseAsync(history);

        Assert.Equal("now something about poetry", embedder.Seen.Single());
        Assert.Equal("beta", ((EnsembleDecision)response.AdditionalProperties![SettingsOverrides.Key]!).ChosenModel);
        Assert.Equal(4, beta.Seen.Single().Count);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.System, "no user turn")]));
    }

    [Fact]
    public async Task Per_request_options_override_the_defaults()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "The answer is (A).");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha }, router, embedder, new EnsembleSettings { Samples = 10 });
        var options = new ChatOptions { AdditionalProperties = new() { [SettingsOverrides.Key] = new SettingsOverrides { Strategy = EnsembleStrategy.Direct } } };

        await client.GetResponseAsync(Ask("math"), options);

        Assert.Equal(1, alpha.Calls);
    }

    [Fact]
    public async Task Direct_streaming_passes_tokens_through_and_never_switches_after_the_first_update()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "one two three");
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha }, router, embedder,
            new EnsembleSettings { Strategy = EnsembleStrategy.Direct });
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Ask("math"))) updates.Add(update);
        Assert.Equal(3, updates.Count);
        Assert.IsType<EnsembleDecision>(updates[0].AdditionalProperties![SettingsOverrides.Key]);
        Assert.Equal("one two three ", string.Concat(updates.Select(u => u.Text)));

        var cut = new ScriptedChatClient("alpha", _ => "one <cut> three");
        var gamma = new ScriptedChatClient("gamma", _ => "other");
        var cutting = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = cut, ["gamma"] = gamma }, router, embedder,
            new EnsembleSettings { Strategy = EnsembleStrategy.Direct });
        var received = new List<string>();
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (ChatResponseUpdate update in cutting.GetStreamingResponseAsync(Ask("math"))) received.Add(update.Text);
        });
        Assert.Equal(["one "], received);
        Assert.Equal(0, gamma.Calls);
    }

    [Fact]
    public async Task Caller_cancellation_cancels_backend_calls()
    {
        var (router, embedder) = Setup();
        var alpha = new ScriptedChatClient("alpha", _ => "The answer is (A).") { Delay = _ => TimeSpan.FromSeconds(30) };
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha }, router, embedder, new EnsembleSettings { Samples = 4 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Ask("math"), cancellationToken: cts.Token));
        Assert.Equal(4, alpha.Cancelled);
    }

    [Fact]
    public void A_router_without_served_models_is_rejected()
    {
        var (router, embedder) = Setup();
        var error = Assert.Throws<ArgumentException>(() => new EnsembleChatClient(new Dictionary<string, IChatClient> { ["other"] = new ScriptedChatClient("other", _ => "") }, router, embedder));
        Assert.Contains("no member serves a model the router selected", error.Message);
    }
}
