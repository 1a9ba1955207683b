using Avengers.Collection;
using Avengers.Data;
using Avengers.Data.Import;
using Avengers.Answers;

namespace Avengers.Tests.Collection;

/// <summary>The importers on small samples in each format's real shape (written here from the formats' documentation; nothing is downloaded).</summary>
public class ImportersTests
{
    private static async Task<IReadOnlyList<Question>> ImportAsync(string name, string content, Dictionary<string, string>? map = null)
    {
        string dir = TestData.TempDir();
        string source = Path.Combine(dir, name);
        File.WriteAllText(source, content);
        string output = Path.Combine(dir, "questions.jsonl");
        await QuestionImporter.ImportAsync(source, output, map);
        return QuestionReader.Read(output);
    }

    [Fact]
    public async Task Gsm8k_rows_give_the_number_after_the_hashes_as_a_math_gold()
    {
        // openai/gsm8k, main config: {"question", "answer"} with the worked solution ending in "#### 72".
        IReadOnlyList<Question> q = await ImportAsync("gsm8k.jsonl", """
            {"question": "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?", "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72"}
            {"question": "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?", "answer": "Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\nWorking 50 minutes, she earned 0.2 x 50 = $<<0.2*50=10>>10.\n#### 10"}
            """);
        Assert.Equal(2, q.Count);
        Assert.Equal((AnswerType.Math, "72"), (q[0].AnswerType, q[0].Gold));
        Assert.Equal("10", q[1].Gold);
    }

    [Fact]
    public async Task Mmlu_style_csv_rows_with_option_columns_and_an_answer_letter()
    {
        // The original MMLU CSVs have no header; the widely used copies with one name the columns question,A,B,C,D,answer.
        IReadOnlyList<Question> q = await ImportAsync("mmlu.csv", """
            question,A,B,C,D,answer,subject
            "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.",0,4,2,6,B,abstract_algebra
            "Which of the following is a renewable resource?",coal,"natural gas, liquefied",wind,oil,C,high_school_geography
            """);
        Assert.Equal(2, q.Count);
        Assert.Equal((AnswerType.Choice, "B", "abstract_algebra"), (q[0].AnswerType, q[0].Gold, q[0].Dataset));
        Assert.Equal(["coal", "natural gas, liquefied", "wind", "oil"], q[1].Choices);
    }

    [Fact]
    public async Task A_choices_list_with_an_integer_answer_index_and_a_field_mapping()
    {
        // cais/mmlu as JSON: {"question", "subject", "choices": [...], "answer": 1}; here mapped from other names.
        IReadOnlyList<Question> q = await ImportAsync("mc.json", """
            [{"uid": "x1", "stem": "2 + 2 = ?", "opts": ["3", "4", "5", "22"], "label": 1, "topic": "arith"},
             {"uid": "x2", "stem": "Capital of France?", "opts": ["Paris", "Rome"], "label": 0, "topic": "geo"}]
            """, new Dictionary<string, string> { ["query"] = "stem", ["choices"] = "opts", ["gold"] = "label", ["dataset"] = "topic", ["id"] = "uid" });
        Assert.Equal(("x1", "B", AnswerType.Choice, "arith"), (q[0].Id, q[0].Gold, q[0].AnswerType, q[0].Dataset));
        Assert.Equal("A", q[1].Gold);
    }

    /// <summary>The columns of cais/mmlu's Parquet files (question, subject, choices, answer index).</summary>
    public sealed class MmluRow
    {
        public string question { get; set; } = "";
        public string subject { get; set; } = "";
        public List<string> choices { get; set; } = [];
        public long answer { get; set; }
    }

    [Fact]
    public async Task Parquet_rows_with_a_choices_list_and_an_answer_index()
    {
        string dir = TestData.TempDir();
        string source = Path.Combine(dir, "test-00000-of-00001.parquet");
        MmluRow[] rows =
        [
            new() { question = "Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.", subject = "abstract_algebra", choices = ["0", "1", "2", "3"], answer = 1 },
            new() { question = "Which planet is known as the Red Planet?", subject = "astronomy", choices = ["Venus", "Mars", "Jupiter", "Saturn"], answer = 1 },
        ];
        await using (FileStream stream = File.Create(source)) await Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, stream);
        string output = Path.Combine(dir, "questions.jsonl");
        QuestionImportReport report = await QuestionImporter.ImportAsync(source, output);
        Assert.Equal(2, report.Written);
        IReadOnlyList<Question> q = QuestionReader.Read(output);
        Assert.Equal((AnswerType.Choice, "B", "astronomy"), (q[1].AnswerType, q[1].Gold, q[1].Dataset));
        Assert.Equal(["Venus", "Mars", "Jupiter", "Saturn"], q[1].Choices);
    }

    [Fact]
    public async Task A_mapping_to_a_missing_field_stops_with_file_line_and_field_and_skips_are_reported()
    {
        string dir = TestData.TempDir();
        string source = Path.Combine(dir, "q.jsonl");
        File.WriteAllText(source, "{\"question\": \"a\", \"answer\": \"1\"}\n{\"answer\": \"2\"}\n");
        var error = await Assert.ThrowsAsync<BenchmarkFormatException>(() => QuestionImporter.ImportAsync(source, Path.Combine(dir, "o.jsonl"), new Dictionary<string, string> { ["query"] = "prompt_text" }));
        Assert.Contains("q.jsonl:1: field 'prompt_text'", error.Message);
        Assert.Contains("it has question, answer", error.Message);

        QuestionImportReport report = await QuestionImporter.ImportAsync(source, Path.Combine(dir, "o.jsonl"));
        Assert.Equal(1, report.Written);
        Assert.Contains(report.Skipped, s => s.StartsWith("line 2: no question text", StringComparison.Ordinal));
    }

    [Fact]
    public void Lm_eval_sample_logs_become_a_benchmark_with_each_models_graded_responses()
    {
        // lm-evaluation-harness --log_samples: <output_path>/<model>/samples_<task>_<timestamp>.jsonl, one line per document.
        string root = TestData.TempDir();
        foreach (var (model, right) in new[] { ("qwen2.5-7b", true), ("llama3.1-8b", false) })
        {
            string folder = Path.Combine(root, model);
            Directory.CreateDirectory(folder);
            File.WriteAllLines(Path.Combine(folder, "samples_gsm8k_2024-06-28T14-34-46.123456.jsonl"),
            [
                """{"doc_id": 0, "doc": {"question": "Janet has 3 apples and buys 2 more. How many?", "answer": "3+2=5\n#### 5"}, "target": "5", "arguments": {"gen_args_0": {"arg_0": "Question: Janet has 3 apples...\nAnswer:", "arg_1": {"until": ["Question:"]}}}, "resps": [["3 + 2 = 5. The answer is ANSWER."]], "filtered_resps": ["ANSWER"], "doc_hash": "a", "prompt_hash": "b", "target_hash": "c", "exact_match": SCORE}"""
                    .Replace("ANSWER", right ? "5" : "6").Replace("SCORE", right ? "1.0" : "0.0"),
                """{"doc_id": 1, "doc": {"question": "Tom reads 4 pages a day for 3 days. How many pages?", "answer": "#### 12"}, "target": "12", "resps": [["The answer is 12."]], "filtered_resps": ["12"], "exact_match": 1.0}""",
            ]);
        }
        Directory.CreateDirectory(Path.Combine(root, "empty-model"));
        string output = Path.Combine(root, "lm-eval.jsonl");
        ImportReport report = LmEvalImporter.Import(root, output);
        Assert.Equal(2, report.Records);
        Benchmark benchmark = BenchmarkReader.Read(output);
        BenchmarkRecord first = benchmark.Records.Single(r => r.Id == "gsm8k:0");
        Assert.Equal(("gsm8k", "Janet has 3 apples and buys 2 more. How many?"), (first.Dataset, first.Query));
        Assert.Equal(1.0, first.Outputs["qwen2.5-7b"][0].Score);
        Assert.Equal(0.0, first.Outputs["llama3.1-8b"][0].Score);
        Assert.Equal("3 + 2 = 5. The answer is 6.", first.Outputs["llama3.1-8b"][0].Text);
        Assert.Equal(["llama3.1-8b", "qwen2.5-7b"], benchmark.Models);
    }
}

/// <summary>lm-evaluation-harness v0.4 --log_samples files, hand-written in its exact shape for each kind of task.</summary>
public class LmEvalShapeTests
{
    private static string Write(params (string Model, string Task, string[] Lines)[] logs)
    {
        string root = TestData.TempDir();
        foreach (var (model, task, lines) in logs)
        {
            Directory.CreateDirectory(Path.Combine(root, model));
            File.WriteAllLines(Path.Combine(root, model, $"samples_{task}_2024-06-28T14-34-46.123456.jsonl"), lines);
        }
        return root;
    }

    // arc_easy (output_type: multiple_choice): one loglikelihood request per option; resps nest [[ll, is_greedy]], numbers as strings.
    private static string ArcLine(int docId, string[] lls, int target)
    {
        string[] options = [" a very long option that the model likes per character", " no", " maybe"];
        string arguments = string.Join(", ", options.Select((o, i) => $$"""
            "gen_args_{{i}}": {"arg_0": "Question: Which answer is right?\nAnswer:", "arg_1": "{{o}}"}
            """.Trim()));
        string resps = string.Join(", ", lls.Select(ll => $"[[\"{ll}\", \"False\"]]"));
        string filtered = string.Join(", ", lls.Select(ll => $"[\"{ll}\", \"False\"]"));
        return $$"""{"doc_id": {{docId}}, "doc": {"id": "Mercury_{{docId}}", "question": "Which answer is right? ({{docId}})", "choices": {"text": ["a very long option that the model likes per character", "no", "maybe"], "label": ["A", "B", "C"]}, "answerKey": "A"}, "target": {{target}}, "arguments": {{{arguments}}}, "resps": [{{resps}}], "filtered_resps": [{{filtered}}], "filter": "none", "metrics": ["acc", "acc_norm"], "doc_hash": "h", "prompt_hash": "p", "target_hash": "t", "acc": 0.0, "acc_norm": 1.0}""";
    }

    [Fact]
    public void Multiple_choice_logs_give_the_most_likely_option_as_a_letter_with_the_choices_and_a_letter_gold()
    {
        string root = Write(("m", "arc_easy", [ArcLine(0, ["-6.0", "-3.0", "-9.5"], 0), ArcLine(1, ["-2.5", "-7.0", "-1.0"], 2)]));
        string output = Path.Combine(root, "out.jsonl");
        ImportReport report = LmEvalImporter.Import(root, output);
        Assert.Equal(2, report.Records);
        BenchmarkRecord first = BenchmarkReader.Read(output).Records[0];
        Assert.Equal(AnswerType.Choice, first.AnswerType);
        Assert.Equal("Which answer is right? (0)", first.Query);
        Assert.Equal(["a very long option that the model likes per character", "no", "maybe"], first.Choices!);
        Assert.Equal("A", first.Gold);
        Assert.Equal("B", first.Outputs["m"][0].Text); // -3.0 is the highest log-likelihood, not "-6.0" as text
        Assert.Equal(0.0, first.Outputs["m"][0].Score);
        BenchmarkRecord second = BenchmarkReader.Read(output).Records[1];
        Assert.Equal(("C", "C", 1.0), (second.Gold, second.Outputs["m"][0].Text, second.Outputs["m"][0].Score));

        // acc_norm: per character, the long first option wins the first document.
        LmEvalImporter.Import(root, output, choiceScore: LmEvalChoiceScore.AccNorm);
        BenchmarkRecord normed = BenchmarkReader.Read(output).Records[0];
        Assert.Equal(("A", 1.0), (normed.Outputs["m"][0].Text, normed.Outputs["m"][0].Score));
    }

    // gsm8k (generate_until) with its two filters: each document is logged once per filter.
    private static string GsmLine(int docId, string filter, string response, string extracted, double match) => $$$"""{"doc_id": {{{docId}}}, "doc": {"question": "Natalia sold clips to 48 of her friends in April, and then half as many in May. How many altogether? ({{{docId}}})", "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72"}, "target": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72", "arguments": {"gen_args_0": {"arg_0": "Question: Natalia sold clips...\nAnswer:", "arg_1": {"until": ["Question:", "</s>", "<|im_end|>"], "do_sample": false, "temperature": 0.0} } }, "resps": [["{{{response}}}"]], "filtered_resps": ["{{{extracted}}}"], "filter": "{{{filter}}}", "metrics": ["exact_match"], "doc_hash": "h", "prompt_hash": "p", "target_hash": "t", "exact_match": {{{match}}}}""";

    [Fact]
    public void Gsm8k_with_two_filters_keeps_one_with_the_final_answer_as_a_math_gold_and_reports_the_other()
    {
        string root = Write(("m", "gsm8k", [
            GsmLine(0, "strict-match", "48/2 = 24. 48 + 24 = 72. #### 72", "72", 1.0),
            GsmLine(0, "flexible-extract", "48/2 = 24. 48 + 24 = 72. #### 72", "72", 1.0),
            GsmLine(1, "strict-match", "They sold 72 clips.", "[invalid]", 0.0),
            GsmLine(1, "flexible-extract", "They sold 72 clips.", "72", 1.0),
        ]));
        string output = Path.Combine(root, "out.jsonl");
        ImportReport report = LmEvalImporter.Import(root, output);
        Assert.Equal(2, report.Records);
        Assert.Contains(report.Notes, n => n.Contains("gsm8k: kept filter 'strict-match', dropped 2 lines of filter 'flexible-extract'"));
        IReadOnlyList<BenchmarkRecord> records = BenchmarkReader.Read(output).Records;
        Assert.All(records, r => Assert.Equal((AnswerType.Math, "72"), (r.AnswerType, r.Gold)));
        Assert.Equal(0.0, records[1].Outputs["m"][0].Score);

        LmEvalImporter.Import(root, output, filter: "flexible-extract");
        Assert.Equal(1.0, BenchmarkReader.Read(output).Records[1].Outputs["m"][0].Score);
        Assert.Throws<ArgumentException>(() => LmEvalImporter.Import(root, output, filter: "no-such-filter"));
    }

    [Fact]
    public void A_generate_until_task_with_a_plain_target_keeps_the_response_and_the_metric()
    {
        string line = """{"doc_id": 7, "doc": {"question": "What is the capital of France?", "answer": {"aliases": ["Paris"], "value": "Paris"}}, "target": "Paris", "arguments": {"gen_args_0": {"arg_0": "Q: What is the capital of France?\nA:", "arg_1": {"until": ["\n"]}}}, "resps": [[" Paris"]], "filtered_resps": ["Paris"], "filter": "remove_whitespace", "metrics": ["exact_match"], "doc_hash": "h", "prompt_hash": "p", "target_hash": "t", "exact_match": 1.0}""";
        string root = Write(("m", "triviaqa", [line]));
        string output = Path.Combine(root, "out.jsonl");
        LmEvalImporter.Import(root, output);
        BenchmarkRecord record = BenchmarkReader.Read(output).Records.Single();
        Assert.Equal(("triviaqa:7", "What is the capital of France?", "Paris"), (record.Id, record.Query, record.Gold));
        Assert.Equal((" Paris", 1.0), (record.Outputs["m"][0].Text, record.Outputs["m"][0].Score));
    }
}
