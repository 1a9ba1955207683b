using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Ensemble;
using Avengers.Server.Configuration;
using Avengers.Server.Feedback;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Avengers.Tests.Server;

/// <summary>Ratings of answers become live evidence that re-ranks the models; the rules and the API's guard rails.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class FeedbackTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private const string KeyA = "k-feedback-a-123", KeyB = "k-feedback-b-456";
    private static readonly string MathQuestion = GatewayEndToEndTests.MathQuestions[0];

    private async Task<WebApplication> GatewayAsync(ScriptedBackend calc, ScriptedBackend scribe, string? redis = null, string prefix = "avengers:", double ttlMinutes = 60, string? log = null,
        int? ratingsPerKeyPerHour = null, string? router = null, double changeThreshold = Avengers.Scoring.LiveEvidence.DefaultChangeThreshold)
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = router ?? fixture.Router,
            Embedding = "minilm",
            Redis = redis,
            RedisPrefix = prefix,
            Strategy = new StrategyConfig { Default = "vote", TopN = 2, Samples = 2, Adaptive = false },
            Feedback = new FeedbackConfig { TtlMinutes = ttlMinutes, Log = log, MaxRatingsPerKeyPerHour = ratingsPerKeyPerHour, ChangeThreshold = changeThreshold },
            ApiKeys = [new ApiKeyConfig { Name = "team-a", KeyEnv = "KEY_A" }, new ApiKeyConfig { Name = "team-b", KeyEnv = "KEY_B" }],
            Backends = [new BackendConfig { Name = "calc", BaseUrl = calc.BaseUrl, SupportsN = false }, new BackendConfig { Name = "scribe", BaseUrl = scribe.BaseUrl, SupportsN = false }],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, name => name switch { "KEY_A" => KeyA, "KEY_B" => KeyB, _ => null });
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, JsonDocument Body)> PostAsync(WebApplication gateway, string path, object body, string key = KeyA)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.Urls.First() + path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    private static async Task<string> AskAsync(WebApplication gateway, string key = KeyA)
    {
        var (status, body) = await PostAsync(gateway, "/v1/chat/completions", new { model = "avengers", messages = new[] { new { role = "user", content = MathQuestion } } }, key);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The x-avengers-scores header of an answer to the math question.</summary>
    private static async Task<string> ScoresHeaderAsync(WebApplication gateway)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.Urls.First() + "/v1/chat/completions")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = MathQuestion } } }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", KeyA);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("x-avengers-scores"));
    }

    /// <summary>calc's live answers (decayed) in the question's cluster, as a replica reports them once <paramref name="ready"/> holds and they stop changing.</summary>
    private static async Task<double> SettledAsync(WebApplication replica, Func<double, bool> ready)
    {
        async Task<double> ReadAsync() => (await RouteAsync(replica)).GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("model").GetString() == "calc").TryGetProperty("live_answered", out JsonElement l) ? l.GetDouble() : 0;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!ready(await ReadAsync()) && waited.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(50);
        await Task.Delay(300); // a few more reads of the stream: anything still coming has come
        return await ReadAsync();
    }

    /// <summary>Starts replicas of one fleet (one Redis, a prefix of its own) over the two backends.</summary>
    private Func<Task<WebApplication>> Fleet(RedisServer redis, ScriptedBackend calc, ScriptedBackend scribe)
    {
        string prefix = $"t{Guid.NewGuid():N}:";
        return () => GatewayAsync(calc, scribe, redis.Configuration, prefix);
    }

    /// <summary>A backend whose every answer is the letter given.</summary>
    private static Task<ScriptedBackend> AnsweringAsync(string letter) => ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, $"The answer is ({letter})."));

    private static async Task<JsonElement> RouteAsync(WebApplication gateway)
        => (await PostAsync(gateway, "/v1/route", new { query = MathQuestion })).Body.RootElement.Clone();

    [Fact]
    public async Task Ratings_of_wrong_answers_move_the_ranking_and_show_beside_the_calibrated_scores()
    {
        // calc (the math cluster's best by calibration) and scribe disagree; the returned answer is calc's.
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        await using WebApplication gateway = await GatewayAsync(calc, scribe);
        JsonElement before = await RouteAsync(gateway);
        Assert.Equal("calc", before.GetProperty("models")[0].GetProperty("model").GetString());
        Assert.False(before.GetProperty("models")[0].TryGetProperty("calibrated_score", out _)); // no live evidence yet
        Assert.Matches(@"^calc;score=0\.\d{4}, scribe;score=0\.\d{4}$", await ScoresHeaderAsync(gateway));

        // Users say the returned answer (B) was wrong: calc loses, scribe (which said D) gains, answer after answer.
        for (int i = 0; i < 8; i++)
        {
            string id = await AskAsync(gateway);
            var (status, _) = await PostAsync(gateway, "/v1/feedback", new { id, correct = false, comment = "B is not it" });
            Assert.Equal(HttpStatusCode.Accepted, status);
        }

        JsonElement after = await RouteAsync(gateway);
        JsonElement top = after.GetProperty("models")[0];
        Assert.Equal("scribe", top.GetProperty("model").GetString());
        Assert.True(top.GetProperty("score").GetDouble() > top.GetProperty("calibrated_score").GetDouble());
        Assert.True(top.GetProperty("live_answered").GetDouble() > 0);
        // The headers say it too, calibrated and live side by side.
        Assert.Matches(@"^scribe;score=0\.\d{4};calibrated=0\.\d{4};live=\d+\.\d, calc;score=0\.\d{4};calibrated=0\.\d{4};live=\d+\.\d$", await ScoresHeaderAsync(gateway));
        using var http = new HttpClient();
        Assert.Matches(@"avengers_gateway_feedback\S*\{[^}]*verdict=""wrong""[^}]*\} 8", await http.GetStringAsync(gateway.Urls.First() + "/metrics"));
    }

    [Fact]
    public async Task A_model_that_keeps_being_judged_wrong_is_found_changed_and_route_logs_and_metrics_say_where()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        // A sensitive threshold, so that a handful of ratings reaches it whatever calc's calibrated accuracy there.
        await using WebApplication gateway = await GatewayAsync(calc, scribe, changeThreshold: 0.5);
        for (int i = 0; i < 12; i++)
        {
            string id = await AskAsync(gateway);
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(gateway, "/v1/feedback", new { id, correct = false })).Status);
        }

        JsonElement models = (await RouteAsync(gateway)).GetProperty("models");
        JsonElement changed = models.EnumerateArray().Single(m => m.GetProperty("model").GetString() == "calc");
        Assert.NotEmpty(changed.GetProperty("changed_in").EnumerateArray());
        // scribe, whose answers the users' verdicts agree with, did not change.
        Assert.False(models.EnumerateArray().Single(m => m.GetProperty("model").GetString() == "scribe").TryGetProperty("changed_in", out _));
        using var http = new HttpClient();
        Assert.Matches(@"avengers_gateway_feedback_model_changes\S*\{[^}]*model=""calc""[^}]*\} [1-9]", await http.GetStringAsync(gateway.Urls.First() + "/metrics"));
    }

    [Fact]
    public async Task A_model_judged_wrong_rating_after_rating_is_found_changed_as_a_whole_and_route_and_metrics_show_its_scale()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        await using WebApplication gateway = await GatewayAsync(calc, scribe, changeThreshold: 0.5);
        JsonElement Calc(JsonElement route) => route.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == "calc");
        Assert.False(Calc(await RouteAsync(gateway)).TryGetProperty("calibration_scale", out _));
        // calc's own sample judged wrong each time, whichever answer won.
        int rated = 0;
        while (!Calc(await RouteAsync(gateway)).TryGetProperty("calibration_scale", out _) && rated < 30)
        {
            string id = await AskAsync(gateway);
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(gateway, "/v1/feedback", new { id, model = "calc", correct = false })).Status);
            rated++;
        }
        JsonElement route = await RouteAsync(gateway);
        double scale = Calc(route).GetProperty("calibration_scale").GetDouble();
        Assert.InRange(scale, 0.0, 0.9);
        Assert.False(route.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == "scribe").TryGetProperty("calibration_scale", out _));
        Assert.Matches(@"calc;score=[^,]*;scale=0\.\d{3}", await ScoresHeaderAsync(gateway));
        using var http = new HttpClient();
        string metrics = await http.GetStringAsync(gateway.Urls.First() + "/metrics");
        Assert.Matches(@"avengers_gateway_feedback_model_changes\S*\{[^}]*model=""calc""[^}]*scope=""model""[^}]*\} 1", metrics);
    }

    [Fact]
    public async Task An_answer_is_rated_once_only_by_the_key_that_received_it_and_bad_bodies_name_the_field()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(calc, calc);
        string id = await AskAsync(gateway);

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(gateway, "/v1/feedback", new { id, score = 1.0 }, KeyB)).Status); // another key: unknown to it
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(gateway, "/v1/feedback", new { id = "chatcmpl-nope", score = 1.0 })).Status);
        var (badModel, badModelBody) = await PostAsync(gateway, "/v1/feedback", new { id, score = 1.0, model = "oracle" });
        Assert.Equal(HttpStatusCode.BadRequest, badModel);
        Assert.Equal("model", badModelBody.RootElement.GetProperty("error").GetProperty("param").GetString());
        foreach (var (body, field) in new (object, string)[]
        {
            (new { id, score = 1.5 }, "score"), (new { id, correct = "yes" }, "correct"), (new { id }, "score"),
            (new { id, score = 1.0, correct = true }, "correct"), (new { id = 5, score = 1.0 }, "id"),
        })
        {
            var (status, error) = await PostAsync(gateway, "/v1/feedback", body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal(field, error.RootElement.GetProperty("error").GetProperty("param").GetString());
        }

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(gateway, "/v1/feedback", new { id, score = 0.8, model = "calc" })).Status);
        var (again, againBody) = await PostAsync(gateway, "/v1/feedback", new { id, score = 0.0 });
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("already_rated", againBody.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Every_applied_rating_is_logged_as_a_benchmark_record_calibration_can_read()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        string log = Path.Combine(TestData.TempDir(), "feedback.jsonl");
        await using WebApplication gateway = await GatewayAsync(calc, scribe, log: log);
        string id = await AskAsync(gateway);
        // A comment is kept with the rating it came with (a secret in it redacted), and only with a rating that was applied.
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(gateway, "/v1/feedback", new { id = "chatcmpl-nope", correct = false, comment = "refused" })).Status);
        var (status, body) = await PostAsync(gateway, "/v1/feedback", new { id, correct = false, comment = "B is not it; my key sk-abcdefghijklmnopqrstuvwx" });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.DoesNotContain("comment", body.RootElement.GetRawText()); // never echoed
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(gateway, "/v1/feedback", new { id, correct = true, comment = "second thoughts" })).Status);

        Avengers.Data.BenchmarkRecord record = Assert.Single(Avengers.Data.BenchmarkReader.Read(log).Records);
        Assert.Equal((id, "feedback", MathQuestion), (record.Id, record.Dataset, record.Query));
        Assert.Equal(0.0, record.Outputs["calc"][0].Score);   // the returned answer, judged wrong
        Assert.Equal(1.0, record.Outputs["scribe"][0].Score); // disagreed with it
        using JsonDocument line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(log)));
        string comment = line.RootElement.GetProperty("comment").GetString()!;
        Assert.StartsWith("B is not it; my key ", comment);
        Assert.DoesNotContain("sk-abcdefghijklmnopqrstuvwx", comment);
    }

    [Fact]
    public async Task An_answer_can_no_longer_be_rated_once_its_ttl_passed()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(calc, calc, ttlMinutes: 0.01); // 0.6 s
        string id = await AskAsync(gateway);
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(gateway, "/v1/feedback", new { id, correct = true })).Status);
    }

    [Fact]
    public void Agreeing_models_share_the_verdict_disagreeing_ones_get_the_opposite_and_free_text_credits_only_its_model()
    {
        var decision = new RememberedDecision
        {
            Id = "x",
            Key = "",
            AnswerType = "choice",
            ReturnedModel = "a",
            Winner = "B",
            Clusters = [[0, 1.0]],
            Samples = [new SampleAnswer("a", "B"), new SampleAnswer("a", "C"), new SampleAnswer("b", "B"), new SampleAnswer("c", "D"), new SampleAnswer("d", null)],
        };
        var outcomes = FeedbackService.Outcomes(decision, 1.0, null).ToDictionary(o => o.Model, o => o.Outcome);
        Assert.Equal(new Dictionary<string, double> { ["a"] = 0.5, ["b"] = 1.0, ["c"] = 0.0 }, outcomes); // d abstained: no evidence
        // Judging member c's answer D as right: c right, the others (B, C) wrong.
        var judged = FeedbackService.Outcomes(decision, 1.0, "c").ToDictionary(o => o.Model, o => o.Outcome);
        Assert.Equal(new Dictionary<string, double> { ["a"] = 0.0, ["b"] = 0.0, ["c"] = 1.0 }, judged);
        // Free text: only the returned model.
        var text = FeedbackService.Outcomes(decision with { AnswerType = "text", Winner = null }, 0.0, null);
        Assert.Equal([new ModelOutcome("a", 0.0)], text);
    }

    [Fact]
    public async Task With_redis_down_a_rating_is_refused_with_503_not_an_internal_error_and_works_again_after()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(calc, calc, redis.Configuration, $"t{Guid.NewGuid():N}:");
        string id = await AskAsync(gateway);
        await redis.StopAsync();

        var (down, body) = await PostAsync(gateway, "/v1/feedback", new { id, correct = true });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down);
        Assert.Equal("feedback_store_unavailable", body.RootElement.GetProperty("error").GetProperty("code").GetString());

        await redis.StartAgainAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode again;
        do
        {
            await Task.Delay(250);
            // The restarted server kept nothing (no persistence here): a new answer is rated.
            again = (await PostAsync(gateway, "/v1/feedback", new { id = await AskAsync(gateway), correct = true })).Status;
        }
        while (again != HttpStatusCode.Accepted && waited.Elapsed < TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.Accepted, again);
    }

    [Fact]
    public async Task Feedback_given_to_one_replica_counts_on_all_of_them()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        await using ScriptedBackend calc = await AnsweringAsync("B"), scribe = await AnsweringAsync("D"); // they never agree
        Func<Task<WebApplication>> replica = Fleet(redis, calc, scribe);
        await using WebApplication a = await replica(), b = await replica();
        for (int i = 0; i < 8; i++)
        {
            string id = await AskAsync(a);                                                                    // answered by replica A...
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(b, "/v1/feedback", new { id, correct = false })).Status); // ...rated on B
        }
        // Each replica reads the ratings' stream every 100 ms: both rank scribe first within a few reads.
        foreach (WebApplication gateway in new[] { a, b })
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(15) && (await RouteAsync(gateway)).GetProperty("models")[0].GetProperty("model").GetString() != "scribe") await Task.Delay(50);
            Assert.Equal("scribe", (await RouteAsync(gateway)).GetProperty("models")[0].GetProperty("model").GetString());
        }
    }

    [Fact]
    public async Task A_replica_started_later_holds_the_fleets_ratings_once_and_takes_new_ones_from_the_stream()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        await using ScriptedBackend calc = await AnsweringAsync("B"), scribe = await AnsweringAsync("D");
        Func<Task<WebApplication>> replica = Fleet(redis, calc, scribe);
        await using WebApplication a = await replica();
        for (int i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(a, "/v1/feedback", new { id = await AskAsync(a), correct = false })).Status);
        double onA = await SettledAsync(a, live => live > 0);
        Assert.True(onA > 0);

        // B starts after the five: it replays them from the stream, then reads on from there, so none counts twice.
        await using WebApplication b = await replica();
        await b.Services.GetRequiredService<FeedbackService>().Replayed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(onA, await SettledAsync(b, live => live > 0), 3);

        // A sixth rating, given to B, reaches both, once.
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(b, "/v1/feedback", new { id = await AskAsync(b), correct = false })).Status);
        double sixthOnA = await SettledAsync(a, live => Math.Abs(live - onA) > 1e-3), sixthOnB = await SettledAsync(b, live => Math.Abs(live - onA) > 1e-3);
        Assert.NotEqual(onA, sixthOnA, 3);
        Assert.Equal(sixthOnA, sixthOnB, 3);
        // The stream is the fleet's log too: what 'avengers feedback export' writes, every rating once, oldest first.
        IReadOnlyList<string> logged = await RedisFeedbackLog.ReadAllAsync(a.Services.GetRequiredService<Avengers.Server.Fleet.RedisFleet>());
        Assert.Equal(6, logged.Count);
        Assert.All(logged, l => Assert.Contains("\"rated_utc\"", l));
    }

    [Fact]
    public async Task A_replica_cut_off_from_redis_applies_the_ratings_it_missed_once_it_is_back()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        await using ScriptedBackend calc = await AnsweringAsync("B"), scribe = await AnsweringAsync("D");
        string prefix = $"t{Guid.NewGuid():N}:", name = $"cut-{Guid.NewGuid():N}"[..16];
        await using WebApplication a = await GatewayAsync(calc, scribe, redis.Configuration, prefix);
        await using WebApplication b = await GatewayAsync(calc, scribe, $"{redis.Configuration},name={name}", prefix);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(a, "/v1/feedback", new { id = await AskAsync(a), correct = false })).Status);
        double before = await SettledAsync(b, live => live > 0);

        // The server keeps closing B's connections (as a flaky network would) while A takes three more ratings.
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},allowAdmin=true");
        StackExchange.Redis.IServer server = admin.GetServer(admin.GetEndPoints()[0]);
        Assert.Contains(await server.ClientListAsync(), c => c.Name == name);
        using var cutting = new CancellationTokenSource();
        Task cutter = Task.Run(async () =>
        {
            while (!cutting.IsCancellationRequested)
            {
                foreach (StackExchange.Redis.ClientInfo client in (await server.ClientListAsync()).Where(c => c.Name == name)) await server.ClientKillAsync(client.Id);
                await Task.Delay(5);
            }
        });
        for (int i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(a, "/v1/feedback", new { id = await AskAsync(a), correct = false })).Status);
        await Task.Delay(200);
        await cutting.CancelAsync();
        await cutter;

        double onA = await SettledAsync(a, live => live > before + 1e-3);
        Assert.Equal(onA, await SettledAsync(b, live => Math.Abs(live - onA) < 1e-3), 3);
    }

    [Fact]
    public async Task A_key_gives_at_most_its_hourly_ratings_and_refused_or_unknown_ratings_cost_nothing()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        await using WebApplication gateway = await GatewayAsync(calc, scribe, ratingsPerKeyPerHour: 2);
        string[] ids = [await AskAsync(gateway), await AskAsync(gateway), await AskAsync(gateway)];

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(gateway, "/v1/feedback", new { id = "chatcmpl-unknown", correct = true })).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(gateway, "/v1/feedback", new { id = ids[0], correct = true })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(gateway, "/v1/feedback", new { id = ids[0], correct = true })).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(gateway, "/v1/feedback", new { id = ids[1], correct = true })).Status);

        var (status, body) = await PostAsync(gateway, "/v1/feedback", new { id = ids[2], correct = true });
        Assert.Equal((HttpStatusCode)429, status);
        Assert.Equal("feedback_cap_reached", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("max_ratings_per_key_per_hour", body.RootElement.GetProperty("error").GetProperty("message").GetString());
        // Another key has its own allowance, and the capped answer can still be rated next hour (it was not marked rated).
        string other = await AskAsync(gateway, KeyB);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(gateway, "/v1/feedback", new { id = other, correct = true }, KeyB)).Status);
    }

    [Fact]
    public async Task With_redis_the_hourly_cap_holds_across_replicas()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        string prefix = $"cap-{Guid.NewGuid():N}:";
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        await using WebApplication a = await GatewayAsync(calc, scribe, redis.Configuration, prefix, ratingsPerKeyPerHour: 2);
        await using WebApplication b = await GatewayAsync(calc, scribe, redis.Configuration, prefix, ratingsPerKeyPerHour: 2);
        string[] ids = [await AskAsync(a), await AskAsync(b), await AskAsync(a)];

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(a, "/v1/feedback", new { id = ids[0], correct = true })).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(b, "/v1/feedback", new { id = ids[1], correct = true })).Status);
        Assert.Equal((HttpStatusCode)429, (await PostAsync(b, "/v1/feedback", new { id = ids[2], correct = true })).Status);
    }

    [Fact]
    public async Task Live_evidence_survives_a_restart_by_replaying_the_log()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        string log = Path.Combine(TestData.TempDir(), "ratings.jsonl");
        await using (WebApplication first = await GatewayAsync(calc, scribe, log: log))
        {
            for (int i = 0; i < 8; i++)
                Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(first, "/v1/feedback", new { id = await AskAsync(first), correct = false })).Status);
            Assert.Equal("scribe", (await RouteAsync(first)).GetProperty("models")[0].GetProperty("model").GetString());
        }
        Assert.All(File.ReadAllLines(log), line => Assert.Contains("\"rated_utc\"", line));

        // A new process over the same log: the ratings are routed again and added with their times.
        await using WebApplication second = await GatewayAsync(calc, scribe, log: log);
        await second.Services.GetRequiredService<FeedbackService>().Replayed.WaitAsync(TimeSpan.FromSeconds(30));
        JsonElement top = (await RouteAsync(second)).GetProperty("models")[0];
        Assert.Equal("scribe", top.GetProperty("model").GetString());
        Assert.True(top.GetProperty("live_answered").GetDouble() > 0);
    }

    [Fact]
    public async Task Live_evidence_follows_a_rolled_out_artifact_by_replaying_the_log_into_it()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (D)."));
        string dir = TestData.TempDir(), router = Path.Combine(dir, "router.avengers"), log = Path.Combine(dir, "ratings.jsonl");
        File.Copy(fixture.Router, router);
        await using WebApplication gateway = await GatewayAsync(calc, scribe, log: log, router: router);
        for (int i = 0; i < 8; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(gateway, "/v1/feedback", new { id = await AskAsync(gateway), correct = false })).Status);

        // A new calibration rolled out (the file rewritten in place): other clusters, so the log is routed again into them.
        (_, string next) = await GatewayEndToEndTests.CalibrateAsync(TestData.TempDir(), fixture.Embedding);
        string expected = Avengers.Routing.RouterArtifact.Load(next).FileHash!;
        File.Copy(next, router + ".tmp");
        File.Move(router + ".tmp", router, overwrite: true);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        JsonElement top = default;
        while (waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            JsonElement route = await RouteAsync(gateway);
            top = route.GetProperty("models")[0];
            if (route.GetProperty("artifact_sha256").GetString() == expected && top.TryGetProperty("live_answered", out JsonElement live) && live.GetDouble() > 0) break;
            await Task.Delay(100); // the swap and the replay happen in the background
        }
        Assert.Equal(expected, (await RouteAsync(gateway)).GetProperty("artifact_sha256").GetString());
        Assert.Equal("scribe", top.GetProperty("model").GetString());
        Assert.True(top.GetProperty("live_answered").GetDouble() > 0);
    }
}
