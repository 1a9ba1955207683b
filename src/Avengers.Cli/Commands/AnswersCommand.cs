using System.CommandLine;
using Avengers.Answers;

namespace Avengers.Cli.Commands;

/// <summary>
/// <c>avengers answers readers|read|check</c>: how responses are read as answers, one response read on the spot, and a
/// corpus of response-to-answer cases checked (the repository's own, tests/corpus/answers.jsonl, or a user's).
/// </summary>
internal static class AnswersCommand
{
    public static Command Create()
    {
        return new Command("answers", "How model responses are read as answers: the readers, one response, a corpus of cases")
        {
            Readers(), Read(), Check(),
        };
    }

    private static Option<string> TypeOption(bool required) => new("--type", "-t")
    {
        Description = $"Answer type: {string.Join(", ", AnswerTypes.Names)}",
        Required = required,
    };

    private static Command Readers()
    {
        var type = TypeOption(required: false);
        var command = new Command("readers", "List each answer type's steps and readers, in the order they are tried, with the reason each exists") { type };
        command.SetAction((parse, _) => CliRunner.RunAsync(() =>
        {
            foreach (AnswerType t in Types(parse.GetValue(type)))
            {
                ReadingPlan plan = AnswerReaders.For(t);
                Console.WriteLine($"{t.ToWireName()}:{(plan.Readers.Count == 0 ? " no readers (never voted on)" : "")}");
                foreach (ResponseStep step in plan.Steps) Console.WriteLine($"  (step) {step.Name,-22} {step.Reason}");
                int n = 0;
                foreach (AnswerReader reader in plan.Readers) Console.WriteLine($"  {++n,2}. {reader.Name,-22} {reader.Reason}");
            }
            Console.WriteLine("A grading rule reorders them (readers: [...]), drops some (skip_readers: [...]), or replaces them (regex, json_field).");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command Read()
    {
        var type = TypeOption(required: true);
        var choices = new Option<string[]>("--choices") { Description = "The options of a choice or label question", AllowMultipleArgumentsPerToken = true };
        var text = new Argument<string>("response") { Description = "The response to read ('-' reads it from standard input)" };
        var command = new Command("read", "Read one response as an answer and say which reader found it") { type, choices, text };
        command.SetAction((parse, _) => CliRunner.RunAsync(() =>
        {
            AnswerType t = ParseType(parse.GetValue(type)!);
            string response = parse.GetValue(text) is "-" ? Console.In.ReadToEnd() : parse.GetValue(text)!;
            ReadAnswer read = AnswerExtractor.Read(response, t, parse.GetValue(choices) is { Length: > 0 } given ? given : null);
            Console.WriteLine(read.Answer is null ? "no answer (the sample would not vote)" : $"{read.Answer}\t(read by {read.Reader})");
            return Task.FromResult(read.Answer is null ? 1 : 0);
        }));
        return command;
    }

    private static Command Check()
    {
        var files = new Argument<string[]>("files") { Description = "JSON Lines files of cases: {\"response\", \"type\", \"expected\", \"source\"} and optional choices, rule, reader", Arity = ArgumentArity.OneOrMore };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print every case, not only the failures" };
        var command = new Command("check", "Check that every response of a corpus reads as its expected answer (exit 1 when one does not)") { files, verbose };
        command.SetAction((parse, _) => CliRunner.RunAsync(() =>
        {
            int passed = 0, failed = 0;
            foreach (string file in parse.GetValue(files)!)
            {
                if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such file");
                foreach (AnswerCase @case in AnswerCorpus.Load(file))
                {
                    AnswerCaseResult result = @case.Check();
                    if (result.Passed) passed++; else failed++;
                    if (!result.Passed || parse.GetValue(verbose))
                        Console.WriteLine($"{(result.Passed ? "ok  " : "FAIL")} {file}:{@case.Line} [{@case.Type.ToWireName()}] wanted {Shown(result.Wanted)}, read {Shown(result.Got)}"
                            + (result.Reader is null ? "" : $" by {result.Reader}") + (@case.Reader is not null && @case.Reader != result.Reader ? $" (expected reader {@case.Reader})" : "")
                            + (@case.Source is null ? "" : $" -- {@case.Source}"));
                }
            }
            Console.WriteLine($"{passed} passed, {failed} failed");
            return Task.FromResult(failed == 0 ? 0 : 1);
        }));
        return command;
    }

    private static string Shown(string? answer) => answer is null ? "no answer" : answer.Length <= 60 ? answer : answer[..57] + "...";

    private static AnswerType ParseType(string name)
        => AnswerTypes.TryParse(name, out AnswerType t) ? t : throw new ArgumentException($"--type: expected one of {string.Join(", ", AnswerTypes.Names)}, found \"{name}\"");

    private static IEnumerable<AnswerType> Types(string? name) => name is null ? Enum.GetValues<AnswerType>() : [ParseType(name)];
}
