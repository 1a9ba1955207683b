using Avengers.Collection;
using Avengers.Data;
using Microsoft.Extensions.AI;
using Avengers.Answers;

namespace Avengers.Tests.Collection;

public class CollectorTests
{
    private static string Questions(int count)
    {
        string path = Path.Combine(TestData.TempDir(), "questions.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => i % 2 == 0
            ? $$"""{"id": "q{{i}}", "question": "What is {{i}} plus 1?", "answer": "{{i + 1}}", "subject": "arithmetic"}"""
            : $$"""{"id": "q{{i}}", "question": "Which letter is number {{i % 4 + 1}}?", "options": ["A", "B", "C", "D"], "answer": {{i % 4}}}"""));
        return path;
    }

    [Fact]
    public void Question_files_take_the_shapes_people_have()
    {
        IReadOnlyList<Question> questions = QuestionReader.Read(Questions(4));
        Assert.Equal((AnswerType.Math, "1", "arithmetic"), (questions[0].AnswerType, questions[0].Gold, questions[0].Dataset));
        Assert.Equal((AnswerType.Choice, "B"), (questions[1].AnswerType, questions[1].Gold)); // an answer index becomes its letter
        Assert.Contains("(B) B", new PromptTemplate("{query}\n{choices}").Render(questions[1]));
        Assert.Contains("The answer is (X)", PromptTemplate.Default(AnswerType.Choice).Render(questions[1]));
    }

    [Fact]
    public void A_template_file_may_set_a_system_message_and_json_mode()
    {
        string path = Path.Combine(TestData.TempDir(), "prompt.txt");
        File.WriteAllText(path, "system: You are careful.\njson: true\nQ: {query}\nReply as {\"reasoning\": ..., \"answer\": ...}");
        PromptTemplate template = PromptTemplate.Load(path);
        Assert.Equal(("You are careful.", true), (template.System, template.Json));
        Assert.StartsWith("Q: What is 0 plus 1?", template.Render(QuestionReader.Read(Questions(1))[0]));
        File.WriteAllText(path, "no placeholder here");
        Assert.Throws<ArgumentException>(() => PromptTemplate.Load(path));
    }

    [Fact]
    public async Task Every_model_answers_every_question_and_a_rerun_retries_only_what_failed()
    {
        IReadOnlyList<Question> questions = QuestionReader.Read(Questions(30));
        string output = Path.Combine(TestData.TempDir(), "outputs.jsonl");
        var steady = new ScriptedChatClient("steady", i => $"The answer is {i}.");
        var flaky = new ScriptedChatClient("flaky", i => $"flaky says {i}") { Fails = i => i % 3 == 0 };
        var members = new Dictionary<string, IChatClient> { ["steady"] = steady, ["flaky"] = flaky };

        CollectResult first;
        using (CollectionJournal journal = CollectionJournal.Open(output))
            first = await Collector.RunAsync(questions, members, journal, new CollectOptions { Samples = 2 });
        Assert.Equal(60, first.Written);
        Assert.True(first.FailedSamples > 0);
        Assert.Equal(first.FailedSamples, first.ErrorsPerModel["flaky"]);

        // The output is a benchmark: every question once, both models, failed samples dropped.
        Benchmark benchmark = BenchmarkReader.Read(output);
        Assert.Equal(30, benchmark.Records.Count);
        Assert.All(benchmark.Records, r => Assert.Equal(2, r.Outputs["steady"].Count));

        int flakyCalls = flaky.Calls, steadyCalls = steady.Calls;
        CollectResult second;
        using (CollectionJournal journal = CollectionJournal.Open(output))
        {
            Assert.True(journal.DoneCount >= 30);
            second = await Collector.RunAsync(questions, members, journal, new CollectOptions { Samples = 2 });
        }
        Assert.Equal(steadyCalls, steady.Calls);                 // nothing done is asked again...
        Assert.True(flaky.Calls > flakyCalls);                    // ...only what failed
        Assert.Equal(60 - second.Written, second.AlreadyDone);
        Assert.True(BenchmarkReader.Read(output).Records.Sum(r => r.Outputs["flaky"].Count) > benchmark.Records.Sum(r => r.Outputs["flaky"].Count));
    }

    [Fact]
    public void A_torn_last_line_is_repaired_and_a_second_writer_is_refused()
    {
        string output = Path.Combine(TestData.TempDir(), "outputs.jsonl");
        File.WriteAllText(output, """{"id": "q0", "dataset": "d", "query": "x", "answer_type": "exact", "outputs": {"m": [{"text": "done"}]}}""" + "\n" + """{"id": "q1", "dataset": "d", "que""");
        using (CollectionJournal journal = CollectionJournal.Open(output))
        {
            Assert.True(journal.RepairedBytes > 0);
            Assert.True(journal.IsDone("q0", "m"));
            Assert.False(journal.IsDone("q1", "m"));
            var error = Assert.Throws<IOException>(() => CollectionJournal.Open(output));
            Assert.Contains("another 'collect' is writing", error.Message);
        }
        Assert.Single(BenchmarkReader.Read(output).Records);
        using (CollectionJournal again = CollectionJournal.Open(output)) Assert.Equal(0, again.RepairedBytes); // the lock went with the first run
    }

    [Fact]
    public async Task The_budget_stops_the_run_cleanly_before_it_is_passed()
    {
        IReadOnlyList<Question> questions = QuestionReader.Read(Questions(40));
        string output = Path.Combine(TestData.TempDir(), "outputs.jsonl");
        var priced = new UsageChatClient();
        using CollectionJournal journal = CollectionJournal.Open(output);
        // 100 + 50 tokens per call at 1 USD per million tokens: 0.00015 USD a pair; a budget of 0.003 USD is 20 pairs.
        CollectResult result = await Collector.RunAsync(questions, new Dictionary<string, IChatClient> { ["m"] = priced }, journal,
            new CollectOptions { MaxCostUsd = 0.003, Prices = new Dictionary<string, (double, double)> { ["m"] = (1, 1) }, ConcurrencyPerModel = 1 });
        Assert.True(result.StoppedAtBudget);
        Assert.True(result.CostUsd <= 0.003 + 1e-12, $"{result.CostUsd} USD");
        Assert.InRange(result.Written, 15, 20);
    }

    private sealed class UsageChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "The answer is 1.")) { Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 } });
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
