using System.Text;
using System.Text.Json;
using Avengers.Calibration;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Evaluation;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Avengers.Testbed.Replay;
using Microsoft.AspNetCore.Builder;
using Avengers.Answers;

namespace Avengers.Tests.Server;

/// <summary>
/// One policy offline and live: the experiment decides every test query from recorded samples; the gateway,
/// started from the artifact that experiment calibrated and fed the same recorded samples by the replay server
/// over real HTTP, must return the same answer for each of 200 test queries.
/// </summary>
public class OfflineLiveAgreementTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // adaptive voting and accuracy-weighted votes, offline and live: one stopping rule, one set of weights
    public async Task The_gateway_returns_the_experiments_answer_for_every_test_query(bool adaptiveAndWeighted)
    {
        string dir = TestData.TempDir();
        string[] models = ["Meta-Llama-3_1-8B-Instruct", "Qwen1.5-7B-Chat", "Phi-3-mini-4k-instruct", "mathstral-7B", "gemma-7b"];
        Benchmark benchmark = BenchmarkReader.Read(TestData.MmluProSubset(dir, models, take: 760));

        using EmbeddingStack stack = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), Path.Combine(dir, "cache.sqlite"));
        var options = new ExperimentOptions
        {
            Calibration = new CalibrationOptions { K = 8, WeightedVote = adaptiveAndWeighted ? true : null },
            RecordDecisions = true,
            Adaptive = adaptiveAndWeighted,
        };
        var (result, calibrated) = await Experiment.RunAsync(benchmark, stack.Generator, stack.ModelId, options);
        string router = Path.Combine(dir, "router.avengers");
        calibrated.Artifact.Save(router);
        Assert.Equal("cross-validation", calibrated.Policy.ChosenBy);

        await using WebApplication replay = ReplayServer.Build(benchmark, "http://127.0.0.1:0");
        await replay.StartAsync();
        string replayUrl = replay.Urls.First() + "/v1";
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = router,
            Embedding = "minilm",
            // One recorded response per model: as many samples as the policy's voting models, each drawn once.
            Strategy = new StrategyConfig { Samples = calibrated.Policy.TopN, Adaptive = adaptiveAndWeighted },
            Backends = [.. models.Select(m => new BackendConfig { Name = m, BaseUrl = replayUrl })],
        };
        await using WebApplication gateway = GatewayHost.Build(config, stack, _ => null);
        await gateway.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        var records = benchmark.Records.ToDictionary(r => r.Id, StringComparer.Ordinal);

        // The replay server finds recorded responses by question text: a question asked twice (MMLU-Pro repeats a few) is ambiguous.
        var repeated = benchmark.Records.GroupBy(r => r.Query.Trim(), StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var decisions = result.Decisions!.Where(d => !repeated.Contains(records[d.Id].Query.Trim())).Take(200).ToList();
        Assert.Equal(200, decisions.Count);
        var disagreements = new List<string>();
        foreach (ItemDecision decision in decisions)
        {
            BenchmarkRecord record = records[decision.Id];
            string body = JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = record.Query } } });
            using HttpResponseMessage response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            string json = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, json);
            using JsonDocument document = JsonDocument.Parse(json);
            string? text = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            string? live = AnswerExtractor.Extract(text, record.AnswerType, record.Choices, record.Grading);
            if (live != decision.Answer) disagreements.Add($"{decision.Id}: offline {decision.Answer ?? "(none)"} from {decision.Model}, live {live ?? "(none)"}");
        }
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of 200 disagree ({calibrated.Policy.Describe()}):\n" + string.Join("\n", disagreements.Take(10)));
    }
}
