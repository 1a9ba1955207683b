using System.Globalization;
using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>
/// How one dataset's answers are read and compared, when the defaults of its answer type do not fit:
/// data, not code, so a user with a quirky format fixes it without a build. Loaded from the benchmark
/// file (a record's <c>grading</c> object) or a YAML file beside it (see <see cref="Data.GradingRulesFile"/>).
/// </summary>
public sealed record GradingRule
{
    /// <summary>The regular expression as written (its group <c>answer</c>, else group 1, else the whole match is the answer).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("regex")] public string? Regex { get => _regex; init { _regex = value; _pattern = null; } }
    /// <summary>Read this JSON field instead of the usual answer fields.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("json_field")] public string? JsonField { get; init; }
    /// <summary>Numbers within this absolute distance of the gold answer count as correct.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("numeric_tolerance")] public double? NumericTolerance { get; init; }
    /// <summary>Compare exact and label answers with case (folded by default).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("case_sensitive")] public bool? CaseSensitive { get; init; }
    /// <summary>Exactly these readers of the answer type, in this order (see <see cref="AnswerReaders"/>; null: the type's own list).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("readers")] public IReadOnlyList<string>? Readers { get; init; }
    /// <summary>Readers (or the <c>cut_next_exercise</c> step) to leave out of the type's list.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("skip_readers")] public IReadOnlyList<string>? SkipReaders { get; init; }

    /// <summary>Rules are equal when their settings are (the compiled pattern is a cache).</summary>
    public bool Equals(GradingRule? other)
        => other is not null && Regex == other.Regex && JsonField == other.JsonField && NumericTolerance == other.NumericTolerance && CaseSensitive == other.CaseSensitive
           && SameNames(Readers, other.Readers) && SameNames(SkipReaders, other.SkipReaders);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Regex, JsonField, NumericTolerance, CaseSensitive, Readers is null ? 0 : string.Join(',', Readers).GetHashCode(StringComparison.Ordinal),
        SkipReaders is null ? 0 : string.Join(',', SkipReaders).GetHashCode(StringComparison.Ordinal));

    private static bool SameNames(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
        => a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    private string? _regex;
    private Regex? _pattern;

    /// <summary>The compiled <see cref="Regex"/> (null when none); a 1 s match timeout bounds hostile input.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Regex? Pattern => Regex is null ? null
        : _pattern ??= new Regex(Regex, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The capture of the last match of <see cref="Pattern"/>, or null.</summary>
    public string? Capture(string text)
    {
        if (Pattern is not Regex pattern) return null;
        try
        {
            MatchCollection matches = pattern.Matches(text);
            if (matches.Count == 0) return null;
            Match last = matches[^1];
            Group group = last.Groups["answer"] is { Success: true } named ? named : last.Groups.Count > 1 && last.Groups[1].Success ? last.Groups[1] : last.Groups[0];
            return group.Value.Trim() is { Length: > 0 } value ? value : null;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Whether two normalised answers agree under this rule (numeric tolerance, else ordinal equality).</summary>
    public static bool Agree(string? answer, string? gold, GradingRule? rule)
    {
        if (answer is null || gold is null) return false;
        if (string.Equals(answer, gold, StringComparison.Ordinal)) return true;
        if (rule?.NumericTolerance is double tolerance
            && TryNumber(answer, out double a) && TryNumber(gold, out double g))
            return Math.Abs(a - g) <= tolerance;
        return false;
    }

    private static bool TryNumber(string text, out double value)
    {
        if (MathNormalizer.TryRational(text, out var numerator, out var denominator) && !denominator.IsZero)
        {
            value = (double)numerator / (double)denominator;
            return double.IsFinite(value);
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>Every problem of the rule, each prefixed by <paramref name="path"/> (empty when valid).</summary>
    public IReadOnlyList<string> Problems(string path)
    {
        var problems = new List<string>();
        if (Regex is not null)
        {
            try { _ = new Regex(Regex, RegexOptions.None, TimeSpan.FromSeconds(1)); }
            catch (ArgumentException ex) { problems.Add($"{path}.regex: not a valid regular expression ({ex.Message})"); }
        }
        if (JsonField is { Length: 0 }) problems.Add($"{path}.json_field: must not be empty");
        foreach ((string field, IReadOnlyList<string>? names) in new[] { ("readers", Readers), ("skip_readers", SkipReaders) })
            foreach (string name in names ?? [])
                if (!AnswerReaders.KnownNames.Contains(name))
                    problems.Add($"{path}.{field}: unknown reader \"{name}\" (known: {string.Join(", ", AnswerReaders.KnownNames.Order(StringComparer.Ordinal))})");
        if (Readers is { Count: 0 }) problems.Add($"{path}.readers: must name at least one reader (leave it out for the answer type's own list)");
        if (NumericTolerance is double t && (!double.IsFinite(t) || t < 0)) problems.Add($"{path}.numeric_tolerance: expected a finite number >= 0, found {t.ToString(CultureInfo.InvariantCulture)}");
        return problems;
    }
}
