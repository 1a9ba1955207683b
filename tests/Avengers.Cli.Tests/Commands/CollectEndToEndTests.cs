using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Avengers.Answers;

namespace Avengers.Tests.Cli.Commands;

/// <summary>
/// Calibrating on your own models, end to end on loopback: the replay server (recorded answers) plus three scripted
/// backends (one slow, one failing 30% of calls, one ignoring n), the collector run as users run it and killed
/// mid-run, resumed, then calibrate and serve.
/// </summary>
public class CollectEndToEndTests
{
    private static async Task Answer(HttpContext context, string backend, bool ignoresN)
    {
        using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body);
        string question = body.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString()!;
        int n = !ignoresN && body.RootElement.TryGetProperty("n", out JsonElement e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : 1;
        Match number = Regex.Match(question, @"What is (\d+) plus 1");
        string answer = number.Success ? (int.Parse(number.Groups[1].Value) + 1).ToString() : "0";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-e2e",
            @object = "chat.completion",
            created = 0,
            model = backend,
            choices = Enumerable.Range(0, n).Select(i => new { index = i, message = new { role = "assistant", content = $"[{backend}] {question.Split('\n')[0]} The answer is {answer}." }, finish_reason = "stop" }).ToArray(),
            usage = new { prompt_tokens = 20, completion_tokens = 10 * n, total_tokens = 20 + 10 * n },
        }));
    }

    private static Process StartCli(params string[] args) => Process.Start(CliProcess.StartInfo(null, args))!;

    [Fact]
    public async Task Collect_killed_mid_run_resumes_without_loss_or_duplicates_then_calibrates_and_serves()
    {
        var random = new Random(5);
        var gate = new object();
        bool Fails() { lock (gate) return random.NextDouble() < 0.3; }
        await using var slow = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(150); await Answer(c, "slow", ignoresN: false); });
        await using var flaky = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(30); await (Fails() ? ScriptedBackend.Fail(c, 500) : Answer(c, "flaky", ignoresN: false)); });
        await using var deaf = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(30); await Answer(c, "deaf", ignoresN: true); });

        string dir = TestData.TempDir();
        string questions = Path.Combine(dir, "questions.jsonl");
        File.WriteAllLines(questions, Enumerable.Range(0, 200).Select(i => $$"""{"id": "q{{i}}", "question": "What is {{i}} plus 1? (item {{i}})", "answer": "{{i + 1}}", "dataset": "{{(i % 2 == 0 ? "even" : "odd")}}"}"""));
        // A fourth model answers from recordings: the replay server, looking each question up by its text.
        string recorded = Path.Combine(dir, "recorded.jsonl");
        BenchmarkWriter.Write(recorded, Enumerable.Range(0, 200).Select(i => new BenchmarkRecord
        {
            Id = $"q{i}",
            Dataset = "recorded",
            Query = $"What is {i} plus 1? (item {i})",
            AnswerType = AnswerType.Math,
            Gold = $"{i + 1}",
            Outputs = new Dictionary<string, IReadOnlyList<Sample>> { ["replayed"] = [new Sample($"[replayed] What is {i} plus 1? (item {i}) The answer is {(i % 4 == 0 ? i : i + 1)}.")] },
        }));
        await using WebApplication replay = Avengers.Testbed.Replay.ReplayServer.Build(BenchmarkReader.Read(recorded), "http://127.0.0.1:0");
        await replay.StartAsync();
        string prompt = Path.Combine(dir, "prompt.txt");
        File.WriteAllText(prompt, "{query}"); // the question alone, as the recordings were made
        string config = Path.Combine(dir, "avengers.yaml");
        File.WriteAllText(config, $"""
            listen: http://127.0.0.1:0
            router: router.avengers
            embedding: minilm
            backends:
              - name: slow
                base_url: {slow.BaseUrl}
                max_concurrency: 4
              - name: flaky
                base_url: {flaky.BaseUrl}
                retries: 0
                max_concurrency: 4
              - name: deaf
                base_url: {deaf.BaseUrl}
                max_concurrency: 4
              - name: replayed
                base_url: {replay.Urls.First()}/v1
                max_concurrency: 4
            """);
        string output = Path.Combine(dir, "outputs.jsonl");
        string[] collect = ["collect", "--questions", questions, "--config", config, "--samples", "3", "--prompt", prompt, "-o", output];

        // Kill the collector once about a quarter of the 800 pairs are on disk.
        string seen = "";
        using (Process first = StartCli(collect))
        {
            var watch = Stopwatch.StartNew();
            _ = first.StandardOutput.ReadToEndAsync();
            Task<string> firstErrors = first.StandardError.ReadToEndAsync();
            while (!first.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60) && (!File.Exists(output) || File.ReadLines(output).Count() < 200)) await Task.Delay(50);
            seen = $"loop ended after {watch.Elapsed.TotalSeconds:F1} s with {(File.Exists(output) ? File.ReadLines(output).Count() : -1)} lines, exited {first.HasExited}";
            if (first.HasExited) Assert.Fail($"the collector finished before it could be killed: {seen}; it said: {await firstErrors}");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        int linesAtKill = File.ReadLines(output).Count();
        Assert.True(linesAtKill is >= 200 and < 800, $"{linesAtKill} lines after the kill; {seen}");

        using (Process second = StartCli(collect))
        {
            string err = await second.StandardError.ReadToEndAsync();
            string stdout = await second.StandardOutput.ReadToEndAsync();
            await second.WaitForExitAsync();
            Assert.True(second.ExitCode == 0, err + stdout);
            Assert.Contains("resuming", err);
        }

        // Nothing lost: every question has all three models; nothing duplicated: a complete pair is written once.
        Benchmark benchmark = BenchmarkReader.Read(output);
        Assert.Equal(200, benchmark.Records.Count);
        Assert.All(benchmark.Records, r => Assert.Equal(["deaf", "flaky", "replayed", "slow"], r.Outputs.Keys.Order()));
        var completeLines = File.ReadLines(output).Select(line => JsonDocument.Parse(line)).Select(d =>
        {
            JsonProperty model = d.RootElement.GetProperty("outputs").EnumerateObject().Single();
            bool complete = model.Value.EnumerateArray().All(s => !s.TryGetProperty("error", out _));
            return (Id: d.RootElement.GetProperty("id").GetString(), Model: model.Name, Complete: complete);
        }).Where(x => x.Complete).ToList();
        Assert.Equal(completeLines.Count, completeLines.Distinct().Count());
        // Every recorded text is the backend's own answer to that very question, three samples each where the calls succeeded.
        foreach (BenchmarkRecord record in benchmark.Records)
            foreach (var (model, samples) in record.Outputs)
            {
                if (model != "flaky") Assert.Equal(3, samples.Count);
                Assert.All(samples, s => Assert.StartsWith($"[{model}] {record.Query.Split('\n')[0]}", s.Text));
            }

        // Then the usual path: calibrate on what was collected, serve it, ask.
        string router = Path.Combine(dir, "router.avengers");
        using (Process calibrate = StartCli("calibrate", "--benchmark", output, "-o", router, "--k", "4"))
        {
            string err = await calibrate.StandardError.ReadToEndAsync();
            await calibrate.StandardOutput.ReadToEndAsync();
            await calibrate.WaitForExitAsync();
            Assert.True(calibrate.ExitCode == 0, err);
        }
        GatewayConfig gatewayConfig = GatewayConfigLoader.Load(config);
        using EmbeddingStack embedding = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), null);
        await using WebApplication gateway = GatewayHost.Build(gatewayConfig, embedding, _ => null);
        await gateway.StartAsync();
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(
            JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = "What is 41 plus 1? (item 41)" } } }), System.Text.Encoding.UTF8, "application/json"));
        string answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, answer);
        Assert.Contains("The answer is 42.", answer);
    }
}
