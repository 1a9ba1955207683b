namespace Avengers.Tests.Cli;

/// <summary>Runs the built <c>avengers</c> program as a separate process, as users do.</summary>
public class CliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliProcess.Run(null, args);

    [Fact]
    public void Help_lists_the_verbs()
    {
        var (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        foreach (string verb in new[] { "import", "calibrate", "route", "experiment" }) Assert.Contains(verb, output);
    }

    [Fact]
    public void Malformed_benchmark_is_reported_with_file_line_and_field()
    {
        string path = Path.Combine(TestData.TempDir(), "bad.jsonl");
        File.WriteAllLines(path, ["""{"id": "1", "dataset": "d", "query": "q", "outputs": {"m": [{"score": 1}]}}""", """{"id": "2", "dataset": "d", "query": "q2", "answer_type": "poem", "outputs": {}}"""]);
        var (exit, _, error) = Run("experiment", "--benchmark", path);
        Assert.Equal(1, exit);
        Assert.Contains($"{path}:2: field 'answer_type'", error);
        Assert.DoesNotContain("   at ", error); // no stack trace
    }

    [Fact]
    public void Unknown_benchmark_name_is_a_clear_error()
    {
        var (exit, _, error) = Run("experiment", "--benchmark", "no-such-benchmark");
        Assert.NotEqual(0, exit);
        Assert.Contains("neither a file nor a known benchmark name (llmrouter, mmlu-pro)", error);
    }

    [Fact]
    public void Bad_strategy_is_a_usage_error()
    {
        string path = Path.Combine(TestData.TempDir(), "ok.jsonl");
        File.WriteAllLines(path, ["""{"id": "1", "dataset": "d", "query": "q", "outputs": {"m": [{"score": 1}]}}"""]);
        var (exit, _, error) = Run("experiment", "--benchmark", path, "--strategy", "shout");
        Assert.Equal(2, exit);
        Assert.Contains("unknown strategy 'shout'", error);
    }

    [Fact]
    public void Calibrate_then_route_prints_the_decision()
    {
        string dir = TestData.TempDir();
        string bench = Path.Combine(dir, "tiny.jsonl");
        var lines = new List<string>();
        string[] maths = ["What is 12 times 7?", "Compute 45 plus 19.", "How much is 81 divided by 9?", "Subtract 13 from 50.", "What is 6 squared?", "Add 101 and 202."];
        string[] code = ["Write a Python function to reverse a string.", "Write a function that sorts a list in Python.", "Implement binary search in Python.", "Write Python code to count vowels.", "Write a function returning the max of a list.", "Write a Python class for a stack."];
        int id = 0;
        foreach (string q in maths) lines.Add($$$"""{"id": "{{{id++}}}", "dataset": "math", "query": "{{{q}}}", "outputs": {"mathy": [{"score": 1}], "coder": [{"score": 0}]}}""");
        foreach (string q in code) lines.Add($$$"""{"id": "{{{id++}}}", "dataset": "code", "query": "{{{q}}}", "outputs": {"mathy": [{"score": 0}], "coder": [{"score": 1}]}}""");
        File.WriteAllLines(bench, lines);
        string router = Path.Combine(dir, "router.avengers");

        var (exit, output, error) = Run("calibrate", "--benchmark", bench, "--k", "2", "-o", router, "--cache", "none");
        Assert.True(exit == 0, error);
        Assert.Contains("K = 2", output);
        Assert.True(File.Exists(router));

        var (routeExit, routeOut, routeErr) = Run("route", "Write a Python function that merges two lists.", "--router", router);
        Assert.True(routeExit == 0, routeErr);
        string firstRanked = routeOut.Split('\n').First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Contains("coder", firstRanked);
        // Five partitions by default: the decision names the nearest cluster of each.
        Assert.Contains("K = 2 x 5 partition(s)", output);
        string blended = routeOut.Split('\n').First(l => l.StartsWith("clusters blended (partition:cluster): ", StringComparison.Ordinal));
        Assert.Equal(5, blended.Split("(cos ").Length - 1);
        // The machine-readable decision has the gateway's /v1/route shape, clusters named partition:cluster like the table.
        string routeJson = Path.Combine(dir, "route.json");
        var (jsonExit, jsonOut, jsonErr) = Run("route", "Write a Python function that merges two lists.", "-r", router, "--json", "-o", routeJson);
        Assert.True(jsonExit == 0, jsonErr);
        using (var decision = System.Text.Json.JsonDocument.Parse(jsonOut))
        {
            Assert.Equal(jsonOut.Trim(), File.ReadAllText(routeJson).Trim());
            Assert.Equal(5, decision.RootElement.GetProperty("clusters").GetArrayLength());
            Assert.All(decision.RootElement.GetProperty("clusters").EnumerateArray(), c => Assert.Matches(@"^\d:\d$", c.GetProperty("name").GetString()));
            Assert.Contains(decision.RootElement.GetProperty("strategy").GetString(), new[] { "direct", "vote", "switch" });
            Assert.Equal("coder", decision.RootElement.GetProperty("models")[0].GetProperty("model").GetString());
        }

        // Routing defaults come from the artifact: calibrated with top-k 2, route blends two clusters per partition.
        Assert.Equal(0, Run("calibrate", "--benchmark", bench, "--k", "2", "--top-k", "2", "--partitions", "2", "-o", router, "--cache", "none").Exit);
        var (_, softOut, _) = Run("route", "Write a Python function that merges two lists.", "--router", router);
        Assert.Equal(4, softOut.Split('\n').First(l => l.StartsWith("clusters blended", StringComparison.Ordinal)).Split("(cos ").Length - 1);

        // The prior strength estimated from the data, said so; a bad value is a usage error naming the option.
        var (autoExit, autoOut, autoErr) = Run("calibrate", "--benchmark", bench, "--k", "2", "--prior", "auto", "-o", router, "--cache", "none");
        Assert.True(autoExit == 0, autoErr);
        Assert.Contains("prior strength estimated from the data", autoOut + autoErr);
        var (badPriorExit, _, badPriorErr) = Run("calibrate", "--benchmark", bench, "--prior", "-1", "-o", router, "--cache", "none");
        Assert.Equal(2, badPriorExit);
        Assert.Contains("--prior: expected auto or a number of at least 0", badPriorErr);

        var (tooManyExit, _, tooManyErr) = Run("calibrate", "--benchmark", bench, "--k", "0", "-o", router);
        Assert.Equal(2, tooManyExit);
        Assert.Contains("k must be at least 1", tooManyErr);
    }

    [Fact]
    public void Datasets_keeps_the_named_datasets_and_names_the_ones_a_file_has()
    {
        string dir = TestData.TempDir();
        string bench = Path.Combine(dir, "two.jsonl");
        var lines = new List<string>();
        for (int i = 0; i < 20; i++)
            lines.Add($$$"""{"id": "{{{i}}}", "dataset": "{{{(i % 2 == 0 ? "math" : "code")}}}", "query": "question {{{i}}} about {{{(i % 2 == 0 ? "sums" : "loops")}}}", "outputs": {"a": [{"score": {{{(i % 3 == 0 ? 1 : 0)}}}}], "b": [{"score": {{{i % 2}}}}]}}""");
        File.WriteAllLines(bench, lines);

        var (exit, output, error) = Run("experiment", "--benchmark", bench, "--datasets", "math", "--k", "2", "--cache", "none");
        Assert.True(exit == 0, error);
        Assert.Contains("two.jsonl [datasets: math]", output);
        Assert.Contains("7 train / 3 test items", output); // 10 math items, 70/30
        Assert.Contains("math (3)", output);
        Assert.DoesNotContain("code (", output);

        var (badExit, _, badError) = Run("experiment", "--benchmark", bench, "--datasets", "maths", "--cache", "none");
        Assert.Equal(2, badExit);
        Assert.Contains("--datasets: 'maths' not in two.jsonl; its datasets: code, math", badError);
    }

    [Fact]
    public void Skip_invalid_reports_every_skipped_record()
    {
        string dir = TestData.TempDir();
        string path = Path.Combine(dir, "mixed.jsonl");
        var lines = new List<string>();
        for (int i = 0; i < 6; i++) lines.Add($$$"""{"id": "{{{i}}}", "dataset": "d", "query": "question number {{{i}}}", "outputs": {"m": [{"score": 1}]}}""");
        lines.Insert(2, "{broken");
        lines.Add("""{"id": "x", "dataset": "d"}""");
        File.WriteAllLines(path, lines);
        var (exit, output, error) = Run("calibrate", "--benchmark", path, "--k", "2", "-o", Path.Combine(dir, "r.avengers"), "--cache", "none", "--skip-invalid");
        Assert.True(exit == 0, error);
        Assert.Contains("skipped 2 malformed record(s)", error);
        Assert.Contains("mixed.jsonl:3: field '(line)'", error);
        Assert.Contains("mixed.jsonl:8: field 'query'", error);
        Assert.Contains("6 training items", output);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("experiment", "--k", "x")]
    [InlineData("experiment", "--benchmark")]
    public void Parse_errors_come_first_in_words_point_at_help_and_exit_2(params string[] args)
    {
        var (exit, output, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains("--help' for the options", error);
        Assert.DoesNotContain("System.", error);
        Assert.DoesNotContain("Usage:", output); // no wall of help in place of the error
    }

    [Fact]
    public void A_results_file_that_is_not_json_is_one_line_without_a_stack_trace()
    {
        string path = Path.Combine(TestData.TempDir(), "bad.json");
        File.WriteAllText(path, "{bad");
        var (exit, _, error) = Run("report", path, "-o", Path.Combine(TestData.TempDir(), "report"));
        Assert.Equal(1, exit);
        Assert.Contains("bad.json: not an experiment result", error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("BytePositionInLine", error);
    }

    [Fact]
    public void An_empty_benchmark_is_an_error_with_a_reason()
    {
        string path = Path.Combine(TestData.TempDir(), "empty.jsonl");
        File.WriteAllText(path, "\n");
        var (exit, _, error) = Run("calibrate", "--benchmark", path, "-o", Path.Combine(TestData.TempDir(), "r.avengers"));
        Assert.Equal(1, exit);
        Assert.Contains("holds no records", error);
        Assert.DoesNotContain("(Parameter", error);
    }

    [Fact]
    public void An_unknown_model_lists_every_model_of_the_file_not_only_the_pool()
    {
        string path = Path.Combine(TestData.TempDir(), "three.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 12).Select(i =>
            $$$"""{"id": "{{{i}}}", "dataset": "d", "query": "question {{{i}}}", "outputs": {"alpha": [{"score": 1}], "beta": [{"score": 0}], "gamma": [{"score": 1}]}}"""));

        var (exit, _, error) = Run("experiment", "--benchmark", path, "--models", "alpha,nope");

        Assert.Equal(2, exit);
        Assert.Contains("unknown model(s) nope; three.jsonl has: alpha, beta, gamma", error);
    }

    [Fact]
    public void Serve_on_a_port_in_use_says_so_in_one_line()
    {
        string dir = TestData.TempDir();
        string benchmark = Path.Combine(dir, "two.jsonl");
        File.WriteAllLines(benchmark, Enumerable.Range(0, 12).Select(i =>
            $$$"""{"id": "{{{i}}}", "dataset": "d", "query": "question number {{{i}}}", "outputs": {"alpha": [{"score": {{{i % 2}}}}], "beta": [{"score": 1}]}}"""));
        string router = Path.Combine(dir, "router.avengers");
        var (calibrated, _, calibrateError) = Run("calibrate", "--benchmark", benchmark, "-k", "2", "-o", router);
        Assert.True(calibrated == 0, calibrateError);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        string config = Path.Combine(dir, "avengers.yaml");
        File.WriteAllText(config, $"listen: http://127.0.0.1:{port}\nrouter: {router}\nembedding: minilm\nbackends:\n  - name: beta\n    base_url: http://127.0.0.1:9/v1\n");

        var (exit, output, error) = Run("serve", "--config", config);

        Assert.Equal(1, exit);
        Assert.Contains("address already in use", error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("Hosting failed", error);
        Assert.DoesNotContain("listening", output + error);
    }

    [Fact]
    public void Usage_errors_end_with_the_help_pointer_and_a_misspelled_verb_gets_a_suggestion()
    {
        string path = Path.Combine(TestData.TempDir(), "ok.jsonl");
        File.WriteAllLines(path, ["""{"id": "1", "dataset": "d", "query": "q", "outputs": {"m": [{"score": 1}]}}"""]);
        foreach (string[] args in new[] { new[] { "experiment", "--benchmark", path, "--strategy", "best" }, ["experiment", "--benchmark", path, "--top-n", "0"] })
        {
            var (exit, _, error) = Run(args);
            Assert.Equal(2, exit);
            Assert.EndsWith("run 'avengers experiment --help' for the options", error.TrimEnd());
        }
        var (verbExit, _, verbError) = Run("calibrat", "--benchmark", path);
        Assert.Equal(2, verbExit);
        Assert.Contains("did you mean 'avengers calibrate'?", verbError);
    }

    [Fact]
    public void A_yaml_value_of_the_wrong_type_names_its_key_and_line_without_dotnet_type_names()
    {
        string dir = TestData.TempDir();
        string config = Path.Combine(dir, "avengers.yaml");
        File.WriteAllText(config, "listen: http://127.0.0.1:8080\nrequest_timeout_seconds: [1, 2]\nbackends:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n");
        var (exit, output, error) = Run("config", "validate", config);
        Assert.Equal(1, exit);
        Assert.Contains($"{config}:2:", error);
        Assert.Contains("'request_timeout_seconds': expected a number", error);
        Assert.DoesNotContain("System.", output + error);

        // A word where a number or a boolean belongs: the setting's own type says what was expected.
        foreach (var (setting, expected) in new[] { ("feedback:\n  change_threshold: abc", "'change_threshold': expected a number"),
                                                    ("strategy:\n  n: lots", "'n': expected a whole number"), ("strategy:\n  adaptive: maybe", "'adaptive': expected true or false") })
        {
            File.WriteAllText(config, "listen: http://127.0.0.1:8080\nbackends:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n" + setting + "\n");
            var (wordExit, wordOutput, wordError) = Run("config", "validate", config);
            Assert.Equal(1, wordExit);
            Assert.Contains($"{config}:6:", wordError);
            Assert.Contains(expected, wordError);
            Assert.DoesNotContain("correct format", wordOutput + wordError);
        }

        string prices = Path.Combine(dir, "bad.json");
        File.WriteAllText(prices, "{ not json");
        string bench = Path.Combine(dir, "b.jsonl");
        File.WriteAllLines(bench, Enumerable.Range(0, 12).Select(i => $$$"""{"id": "{{{i}}}", "dataset": "d", "query": "question {{{i}}}", "outputs": {"m": [{"score": 1}], "n": [{"score": 0}]}}"""));
        var (pricesExit, _, pricesError) = Run("experiment", "--benchmark", bench, "--prices", prices);
        Assert.NotEqual(0, pricesExit);
        Assert.Contains($"{prices}:1: not valid JSON", pricesError);
        Assert.DoesNotContain("LineNumber", pricesError);
    }

    [Fact]
    public void Calibrate_with_feedback_learns_from_the_ratings_as_training_items()
    {
        string dir = TestData.TempDir();
        string bench = Path.Combine(dir, "tiny.jsonl");
        string[] maths = ["What is 12 times 7?", "Compute 45 plus 19.", "How much is 81 divided by 9?", "Subtract 13 from 50.", "What is 6 squared?", "Add 101 and 202."];
        string[] code = ["Write a Python function to reverse a string.", "Write a function that sorts a list in Python.", "Implement binary search in Python.", "Write Python code to count vowels.", "Write a function returning the max of a list.", "Write a Python class for a stack."];
        int id = 0;
        var lines = maths.Select(q => $$$"""{"id": "{{{id++}}}", "dataset": "math", "query": "{{{q}}}", "outputs": {"mathy": [{"score": 1}], "coder": [{"score": 0}]}}""")
            .Concat(code.Select(q => $$$"""{"id": "{{{id++}}}", "dataset": "code", "query": "{{{q}}}", "outputs": {"mathy": [{"score": 0}], "coder": [{"score": 1}]}}""")).ToList();
        File.WriteAllLines(bench, lines);
        // What 'avengers feedback export' writes: users found mathy wrong and coder right on arithmetic, again and again.
        string ratings = Path.Combine(dir, "feedback.jsonl");
        File.WriteAllLines(ratings, Enumerable.Range(0, 30).Select(i =>
            $$$"""{"id": "chatcmpl-{{{i}}}", "dataset": "feedback", "query": "What is {{{i + 3}}} times {{{i + 5}}}?", "answer_type": "math", "outputs": {"mathy": [{"score": 0}], "coder": [{"score": 1}]}}"""));
        string router = Path.Combine(dir, "router.avengers");

        var (exit, _, error) = Run("calibrate", "--benchmark", bench, "--k", "2", "--partitions", "1", "--feedback", ratings, "-o", router, "--cache", "none");
        Assert.True(exit == 0, error);
        Assert.Contains("30 rating(s) added to the 12 training items", error);
        var (routeExit, routeOut, routeErr) = Run("route", "What is 9 times 8?", "--router", router);
        Assert.True(routeExit == 0, routeErr);
        string firstRanked = routeOut.Split('\n').First(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Contains("coder", firstRanked);
    }

    [Fact]
    public void Feedback_export_writes_the_gateways_rating_log_and_refuses_a_config_without_one()
    {
        string dir = TestData.TempDir();
        string log = Path.Combine(dir, "ratings.jsonl");
        string line = """{"id":"chatcmpl-1","dataset":"feedback","query":"What is 2 plus 2?","answer_type":"math","outputs":{"a":[{"score":1}],"b":[{"score":0}]}}""";
        File.WriteAllLines(log, [line, line.Replace("chatcmpl-1", "chatcmpl-2")]);
        string config = Path.Combine(dir, "avengers.yaml");
        File.WriteAllText(config, "feedback:\n  log: ratings.jsonl\nbackends:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n");
        string output = Path.Combine(dir, "export.jsonl");

        var (exit, stdout, error) = Run("feedback", "export", "--config", config, "-o", output);
        Assert.True(exit == 0, error);
        Assert.Contains("wrote 2 rating(s)", stdout);
        Assert.Equal(2, Avengers.Data.BenchmarkReader.Read(output).Records.Count);

        File.WriteAllText(config, "backends:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n");
        var (noLog, _, noLogError) = Run("feedback", "export", "--config", config, "-o", output);
        Assert.Equal(2, noLog);
        Assert.Contains("neither redis: nor feedback.log", noLogError);
    }
}
