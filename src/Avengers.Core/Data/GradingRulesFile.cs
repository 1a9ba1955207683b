using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Avengers.Answers;

namespace Avengers.Data;

/// <summary>
/// Per-dataset grading rules in a small YAML file beside the benchmark (<c>name.grading.yaml</c> for
/// <c>name.jsonl</c>), or named explicitly. Keys are dataset names; <c>"*"</c> applies to every dataset
/// without its own entry:
/// <code>
/// cruxeval:
///   json_field: answer        # read this JSON field
///   case_sensitive: true      # 'Abc' differs from 'abc'
///   skip_readers: [bare_answer] # the answer type's readers, less these (see 'avengers answers readers')
/// gsm8k:
///   regex: '#### (?&lt;answer&gt;-?[\d,.]+)'   # the capture of the last match is the answer
///   numeric_tolerance: 1e-6
/// </code>
/// </summary>
public static class GradingRulesFile
{
    /// <summary>The rules file beside a benchmark: <c>NAME.grading.yaml</c> for <c>NAME.jsonl</c>.</summary>
    public const string Suffix = ".grading.yaml";
    /// <summary>The dataset name that matches every dataset in a rules file.</summary>
    public const string AnyDataset = "*";

    /// <summary>Where rules for <paramref name="benchmarkPath"/> are looked for.</summary>
    public static string BesidePath(string benchmarkPath)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(benchmarkPath)) ?? ".";
        return Path.Combine(directory, Path.GetFileNameWithoutExtension(benchmarkPath) + Suffix);
    }

    /// <exception cref="BenchmarkFormatException">The file is not valid YAML or a rule is invalid (every problem is listed).</exception>
    public static IReadOnlyDictionary<string, GradingRule> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"grading rules file not found: {path}", path);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new BenchmarkFormatException(path, (int)ex.Start.Line, "(yaml)", ex.Message.Split('\n')[0]);
        }
        var rules = new Dictionary<string, GradingRule>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" }) return rules;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new BenchmarkFormatException(path, (int)stream.Documents[0].RootNode.Start.Line, "(root)", "expected a mapping of dataset name to rule");

        var problems = new List<(int Line, string Field, string Problem)>();
        foreach (var (keyNode, valueNode) in root.Children)
        {
            string dataset = ((YamlScalarNode)keyNode).Value ?? "";
            if (valueNode is not YamlMappingNode body)
            {
                problems.Add(((int)valueNode.Start.Line, dataset, "expected a mapping of regex, json_field, numeric_tolerance, case_sensitive"));
                continue;
            }
            string? regex = null, field = null;
            List<string>? readers = null, skipReaders = null;
            double? tolerance = null;
            bool? caseSensitive = null;
            foreach (var (nameNode, settingNode) in body.Children)
            {
                string name = ((YamlScalarNode)nameNode).Value ?? "";
                int line = (int)settingNode.Start.Line;
                string? value = (settingNode as YamlScalarNode)?.Value;
                if (name is "readers" or "skip_readers")
                {
                    if (settingNode is YamlSequenceNode { Children: var items } && items.All(i => i is YamlScalarNode { Value: not null }))
                    {
                        List<string> names = [.. items.Select(i => ((YamlScalarNode)i).Value!)];
                        if (name == "readers") readers = names; else skipReaders = names;
                    }
                    else problems.Add((line, $"{dataset}.{name}", "expected a list of reader names, e.g. [boxed, answer_is] (see 'avengers answers readers')"));
                    continue;
                }
                if (settingNode is not YamlScalarNode) { problems.Add((line, $"{dataset}.{name}", "expected a single value")); continue; }
                switch (name)
                {
                    case "regex": regex = value; break;
                    case "json_field": field = value; break;
                    case "numeric_tolerance":
                        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double t)) tolerance = t;
                        else problems.Add((line, $"{dataset}.{name}", $"expected a number, found '{value}'"));
                        break;
                    case "case_sensitive":
                        if (value is "true" or "True" or "yes") caseSensitive = true;
                        else if (value is "false" or "False" or "no") caseSensitive = false;
                        else problems.Add((line, $"{dataset}.{name}", $"expected true or false, found '{value}'"));
                        break;
                    default:
                        problems.Add(((int)nameNode.Start.Line, $"{dataset}.{name}", "unknown setting; expected regex, json_field, numeric_tolerance, case_sensitive, readers or skip_readers"));
                        break;
                }
            }
            var rule = new GradingRule { Regex = regex, JsonField = field, NumericTolerance = tolerance, CaseSensitive = caseSensitive, Readers = readers, SkipReaders = skipReaders };
            foreach (string problem in rule.Problems(dataset))
                problems.Add(((int)body.Start.Line, problem[..problem.IndexOf(':')], problem[(problem.IndexOf(':') + 2)..]));
            rules[dataset] = rule;
        }
        if (problems.Count > 0)
            throw new BenchmarkFormatException(path, problems[0].Line, problems[0].Field,
                string.Join("; ", problems.Select((p, i) => i == 0 ? p.Problem : $"line {p.Line}, field '{p.Field}': {p.Problem}")));
        return rules;
    }

    /// <summary>The records with their dataset's rule attached (a dataset's own entry, else "*"; a record's in-file rule when the file has none).</summary>
    public static IReadOnlyList<BenchmarkRecord> Apply(IReadOnlyList<BenchmarkRecord> records, IReadOnlyDictionary<string, GradingRule> rules)
    {
        if (rules.Count == 0) return records;
        rules.TryGetValue(AnyDataset, out GradingRule? any);
        return records.Select(r => rules.TryGetValue(r.Dataset, out GradingRule? own) ? r with { Grading = own }
                                 : any is not null && r.Grading is null ? r with { Grading = any } : r).ToList();
    }
}
