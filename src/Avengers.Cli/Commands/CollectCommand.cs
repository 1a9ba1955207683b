using System.CommandLine;
using Avengers.Collection;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.Extensions.AI;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers collect --benchmark QUESTIONS --config avengers.yaml [--models a,b] [--samples 5] ... -o outputs.jsonl</c></summary>
internal static class CollectCommand
{
    public static Command Create()
    {
        var questions = new Option<string?>("--benchmark", "-b") { Description = "Questions, JSON Lines: query (or question), optional id, dataset, gold (or answer), choices, answer_type (other formats: 'avengers import questions')" };
        var questionsOld = CliOptions.Hidden<string?>("--questions");
        questionsOld.Aliases.Add("-q");
        var config = new Option<string>("--config", "-c") { Description = "Gateway configuration (YAML) whose backends answer; no router needed yet", Required = true };
        var models = new Option<string?>("--models") { Description = "Comma-separated backends to collect from (default: every backend of the configuration)" };
        var samples = new Option<int>("--samples") { Description = "Samples per model and question", DefaultValueFactory = _ => 1 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.7f };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Longest answer, in tokens", DefaultValueFactory = _ => 1024 };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt template file ({query}, {choices}; an optional first line 'system: ...'); default: one per answer type asking for \"The answer is ...\"" };
        var jsonMode = new Option<bool>("--json-mode") { Description = "Ask for a JSON object (response_format json_object; say so in the prompt, e.g. {\"reasoning\": ..., \"answer\": ...}); answers are read from its answer field" };
        var maxCost = new Option<double?>("--max-cost") { Description = "Stop cleanly before the output file's spend (earlier runs included) passes this many USD, from the backends' prices" };
        var limit = new Option<int?>("--limit") { Description = "Only the first N questions" };
        var output = new Option<string>("--output", "-o") { Description = "Benchmark file to append to (JSON Lines); a rerun resumes it", Required = true };
        var command = new Command("collect", "Ask every configured model every question (several samples each) and record the answers in the benchmark format, resumably; then 'calibrate' and 'experiment' work on the file")
        {
            questions, questionsOld, config, models, samples, temperature, maxTokens, prompt, jsonMode, maxCost, limit, output,
        };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            // Every option is checked before the output file is touched.
            if (parse.GetValue(samples) is int count && count is < 1 or > Avengers.Ensemble.EnsembleSettings.MaxSamples)
                throw new ArgumentException($"--samples: must lie in [1, {Avengers.Ensemble.EnsembleSettings.MaxSamples}] (got {count})");
            if (parse.GetValue(maxCost) is double budget && !(budget > 0 && double.IsFinite(budget)))
                throw new ArgumentException($"--max-cost: expected a positive number of USD (got {budget.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            if (parse.GetValue(limit) is int first && first < 1) throw new ArgumentException($"--limit: expected a positive number of questions (got {first})");
            GatewayConfig gateway = GatewayConfigLoader.Load(parse.GetValue(config)!);
            IReadOnlyList<string> problems = GatewayConfigLoader.ValidateBackends(gateway);
            if (problems.Count > 0) throw new GatewayConfigException(problems);
            IReadOnlyList<string>? chosen = CliOptions.SplitList(parse.GetValue(models));
            if (chosen is not null && chosen.FirstOrDefault(m => gateway.Backends.All(b => b.Name != m)) is string unknown)
                throw new ArgumentException($"--models: '{unknown}' is not a backend of {parse.GetValue(config)}; it has {string.Join(", ", gateway.Backends.Select(b => b.Name))}");
            var backends = gateway.Backends.Where(b => chosen is null || chosen.Contains(b.Name!)).ToList();
            if (parse.GetValue(maxCost) is not null && backends.Any(b => b.PriceInputPerMillion is null))
                throw new ArgumentException($"--max-cost needs prices for every model: give price_input_per_million and price_output_per_million to {string.Join(", ", backends.Where(b => b.PriceInputPerMillion is null).Select(b => b.Name))}");

            string questionFile = CliOptions.Either(parse, questions, questionsOld) ?? throw new ArgumentException("--benchmark: the questions to ask (JSON Lines), e.g. -b questions.jsonl");
            IReadOnlyList<Question> all = QuestionReader.Read(questionFile);
            IReadOnlyList<Question> asked = parse.GetValue(limit) is int n ? all.Take(n).ToList() : all;
            var options = new CollectOptions
            {
                Samples = parse.GetValue(samples),
                Temperature = parse.GetValue(temperature),
                MaxTokens = parse.GetValue(maxTokens),
                Template = parse.GetValue(prompt) is string file ? PromptTemplate.Load(file) : null,
                MaxCostUsd = parse.GetValue(maxCost),
                JsonMode = parse.GetValue(jsonMode),
                Prices = backends.Where(b => b.PriceInputPerMillion is not null).ToDictionary(b => b.Name!, b => (b.PriceInputPerMillion!.Value, b.PriceOutputPerMillion!.Value)),
                ConcurrencyPerModel = Math.Max(1, backends.Min(b => b.MaxConcurrency)),
            };
            IReadOnlyDictionary<string, IChatClient> members = BackendHttp.CreateMembers(backends);
            using CollectionJournal journal = CollectionJournal.Open(parse.GetValue(output)!);
            if (journal.RepairedBytes > 0) CliRunner.Info($"{journal.Path}: repaired a torn last line ({journal.RepairedBytes} bytes dropped; that call is redone)");
            if (journal.DoneCount > 0) CliRunner.Info($"{journal.Path}: resuming, {journal.DoneCount} (question, model) pairs already done");

            double prior = journal.CostUsd(options.Prices);
            if (options.MaxCostUsd is double cap && prior > 0) CliRunner.Info($"{journal.Path}: already cost {prior:0.####} USD of the {cap:0.####} USD budget");

            CollectResult result;
            try
            {
                result = await Collector.RunAsync(asked, members, journal, options, new Progress<CollectProgress>(p => CliRunner.Info(
                    $"collect: {p.Done:N0}/{p.Total:N0} pairs, {p.CallsPerSecond:0.#} calls/s{(p.Left is TimeSpan left ? $", about {left.TotalSeconds:0} s left" : "")}, " +
                    $"{p.Tokens:N0} tokens{(options.Prices.Count > 0 ? $", {p.CostUsd:0.####} USD" : "")}" +
                    (p.ErrorsPerModel.Count > 0 ? "; failed samples: " + string.Join(", ", p.ErrorsPerModel.Select(e => $"{e.Key} {e.Value}")) : ""))), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                CliRunner.Info($"interrupted: every finished (question, model) pair is on disk in {journal.Path} (the calls in flight are redone); run the same command again to resume");
                return 130;
            }

            Console.WriteLine($"{journal.Path}: {result.Written} (question, model) pairs written, {result.AlreadyDone} already there, {result.Pairs} in all; " +
                $"{result.FailedSamples} samples failed for good (rerun to retry them; requests a backend refused with 400, 413 or 422 are not retried); " +
                $"{result.Tokens:N0} tokens{(options.Prices.Count > 0 ? $", {result.CostUsd:0.####} USD ({result.PriorCostUsd + result.CostUsd:0.####} USD for the file)" : "")}");
            if (result.StoppedAtBudget) Console.WriteLine($"stopped before the file's spend could pass --max-cost {options.MaxCostUsd} USD; rerun with a larger budget to go on");
            if (result.EverySampleFailed)
            {
                // Nothing to calibrate on: say why instead of suggesting the next step.
                Console.Error.WriteLine("error: every sample failed, so there is nothing to calibrate on yet:");
                foreach (var (model, error) in result.FirstErrorPerModel ?? new Dictionary<string, string>())
                    Console.Error.WriteLine($"  {model}: {result.ErrorsPerModel.GetValueOrDefault(model)} failed samples, first: {error}");
                Console.Error.WriteLine("check each backend's base_url, model and key (avengers serve's /health/ready probes them), then rerun to retry");
                return 1;
            }
            Console.WriteLine($"next: avengers calibrate --benchmark {journal.Path} -o router.avengers");
            return 0;
        }));
        return command;
    }
}
