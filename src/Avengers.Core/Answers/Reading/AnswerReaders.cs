using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>
/// The readers of every answer type, in the order they are tried, and how a dataset's <see cref="GradingRule"/> changes
/// them: a <c>regex</c> replaces them all (as lm-evaluation-harness's regex filters do) unless <c>readers</c> places it,
/// a <c>json_field</c> reads only that field, <c>readers</c> names exactly the readers to use and their order (any type's
/// reader may be added by name), <c>skip_readers</c> drops some.
/// </summary>
public static partial class AnswerReaders
{
    /// <summary>Reads the answer a model wrote as JSON (<c>{"reasoning": "...", "answer": "..."}</c>): the model's own final statement.</summary>
    public static readonly AnswerReader JsonField = new("json_field",
        "{\"reasoning\": \"...\", \"answer\": \"...\"}: structured-output prompts; the last object with an answer field, fenced or not",
        (text, context) => StructuredAnswer.Find(text, context.Rule?.JsonField) is string structured
            // An exact answer given as a JSON string is that string (its spacing and a final full stop count).
            ? context.Type == AnswerType.Exact ? AnswerForms.Exact(structured, context.CaseSensitive, isString: true) : AnswerExtractor.Normalize(structured, context.Type, context.Choices, context.Rule)
            : null);

    /// <summary>Cuts a made-up next exercise from a response that stated its answer before it.</summary>
    public static readonly ResponseStep CutNextExercise = new("cut_next_exercise",
        "base models given few-shot prompts go on to write the next example (\"Question: ...\"); that example's answer must not count",
        WithoutContinuation);

    private static readonly ReadingPlan Choice = new([], [JsonField, .. ChoiceReaders.All]);
    private static readonly ReadingPlan Math = new([CutNextExercise], [JsonField, .. MathReaders.All]);
    private static readonly ReadingPlan Exact = new([CutNextExercise], [JsonField, .. ExactReaders.All]);
    private static readonly ReadingPlan Label = new([], [JsonField, .. LabelReaders.All]);
    private static readonly ReadingPlan Code = new([], [JsonField, .. CodeReaders.All]);
    private static readonly ReadingPlan None = new([], []);

    /// <summary>The default plan of an answer type (free text has no readers: it never votes).</summary>
    public static ReadingPlan For(AnswerType type) => type switch
    {
        AnswerType.Choice => Choice,
        AnswerType.Math => Math,
        AnswerType.Exact => Exact,
        AnswerType.Label => Label,
        AnswerType.Code => Code,
        _ => None,
    };

    /// <summary>Every step and reader name any answer type knows (what a rule's <c>readers</c> and <c>skip_readers</c> may name).</summary>
    public static IReadOnlySet<string> KnownNames { get; } = Enum.GetValues<AnswerType>().SelectMany(t => For(t).Names).Append("regex").ToHashSet(StringComparer.Ordinal);

    /// <summary>The plan for <paramref name="type"/> under <paramref name="rule"/> (the default plan when the rule changes nothing).</summary>
    public static ReadingPlan Resolve(AnswerType type, GradingRule? rule)
    {
        ReadingPlan plan = For(type);
        if (rule is null || type == AnswerType.Text) return plan;
        // A regex replaces the list, unless the rule's readers place it ("readers: [regex, boxed]" adds it in front).
        bool placesRegex = rule.Readers?.Contains("regex") == true;
        if (rule.Pattern is not null && !placesRegex) return new ReadingPlan([], [RegexReader]);
        if (rule.JsonField is not null) plan = plan with { Readers = [JsonField] };
        if (rule.Readers is { Count: > 0 } named)
        {
            // Exactly these, in this order: the type's own readers by name, else another type's (a rule may add one), or the regex.
            plan = plan with { Readers = [.. named.Select(n => n == "regex" ? RegexReader : Named(type, n)).OfType<AnswerReader>()] };
        }
        if (rule.SkipReaders is { Count: > 0 } skipped)
            plan = new ReadingPlan([.. plan.Steps.Where(s => !skipped.Contains(s.Name))], [.. plan.Readers.Where(r => !skipped.Contains(r.Name))]);
        return plan;
    }

    /// <summary>The reader of that name: the type's own first (several types have an <c>answer_is</c>), else the first other type's.</summary>
    private static AnswerReader? Named(AnswerType type, string name)
        => For(type).Readers.FirstOrDefault(r => r.Name == name)
           ?? Enum.GetValues<AnswerType>().SelectMany(t => For(t).Readers).FirstOrDefault(r => r.Name == name);

    /// <summary>A rule's regex: the capture of its last match, normalised for the type, or no answer.</summary>
    private static readonly AnswerReader RegexReader = new("regex", "the dataset's grading rule names a regular expression: its last match's capture is the answer",
        (text, context) => context.Rule?.Capture(text) is string captured ? AnswerExtractor.Normalize(captured, context.Type, context.Choices, context.Rule) : null);

    /// <summary>
    /// The response up to a made-up next exercise ("Question: ...", "Q: ...", "Problem: ..." on a line of its own) when
    /// an answer was stated before it; otherwise the whole response ("Question:" is then the model restating the problem).
    /// </summary>
    private static string WithoutContinuation(string text)
    {
        Match next = NextExercise().Match(text);
        if (!next.Success) return text;
        string before = text[..next.Index];
        return StatedPhrases.StatesAnAnswer(before) ? before : text;
    }

    [GeneratedRegex(@"\n[ \t]*(?:\*\*)?(?:Question|Q|Problem)(?:[ \t]+\d+)?(?:\*\*)?[ \t]*:")]
    private static partial Regex NextExercise();
}
