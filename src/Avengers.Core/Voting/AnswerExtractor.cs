using System.Text.RegularExpressions;
using Avengers.Data;

namespace Avengers.Voting;

/// <summary>
/// Pulls the final answer out of a model's response and normalises it so that equal answers compare
/// equal. Returns null when no answer can be found: such a sample never votes.
/// </summary>
public static partial class AnswerExtractor
{
    /// <summary>Extracts and normalises the answer of <paramref name="text"/> for a query of <paramref name="type"/>.</summary>
    /// <param name="choices">The options of a choice or label query, when known (limits letters, maps label text).</param>
    /// <param name="rule">The dataset's grading rule, when it has one (a regex, a JSON field, case sensitivity).</param>
    public static string? Extract(string? text, AnswerType type, IReadOnlyList<string>? choices = null, GradingRule? rule = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (rule?.Pattern is Regex pattern)
        {
            // As lm-evaluation-harness's regex filters: the capture of the last match, or no answer.
            string? captured = rule.Capture(text);
            return captured is null ? null : Normalize(captured, type, choices, rule);
        }
        if (type is AnswerType.Math or AnswerType.Exact) text = WithoutContinuation(text);
        if (type != AnswerType.Text)
        {
            // An answer written as JSON ({"reasoning": "...", "answer": "..."}) is the model's own final statement.
            string? structured = StructuredAnswer.Find(text, rule?.JsonField);
            if (structured is not null)
            {
                // An exact answer given as a JSON string is that string (its spacing and a final full stop count).
                string? normalized = type == AnswerType.Exact ? NormalizeExact(structured, rule?.CaseSensitive == true, isString: true) : Normalize(structured, type, choices, rule);
                if (normalized is not null) return normalized;
            }
            else if (rule?.JsonField is not null) return null;
        }
        return type switch
        {
            AnswerType.Choice => ExtractChoice(text, choices?.Count ?? 0),
            AnswerType.Math => ExtractMath(text),
            AnswerType.Exact => ExtractExact(text, rule),
            AnswerType.Label => ExtractLabel(text, choices, rule),
            AnswerType.Code => NormalizeCode(text),
            _ => null,
        };
    }

    /// <summary>
    /// The response up to a made-up next exercise ("Question: ...", "Q: ...", "Problem: ..." on a line of its own) when
    /// an answer was stated before it: base models given few-shot prompts go on writing the next example, and that
    /// example's answer must not count.
    /// </summary>
    private static string WithoutContinuation(string text)
    {
        Match next = NextExercise().Match(text);
        if (!next.Success) return text;
        string before = text[..next.Index];
        return HashAnswer().IsMatch(before) || before.Contains("\\boxed", StringComparison.Ordinal) || AnswerPhrase().IsMatch(before) ? before : text;
    }

    [GeneratedRegex(@"\n[ \t]*(?:\*\*)?(?:Question|Q|Problem)(?:[ \t]+\d+)?(?:\*\*)?[ \t]*:")]
    private static partial Regex NextExercise();

    /// <summary>Normalises an answer that was recorded already extracted (the sample's <c>answer</c> field, or a gold answer).</summary>
    public static string? Normalize(string? answer, AnswerType type, IReadOnlyList<string>? choices = null, GradingRule? rule = null)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        bool caseSensitive = rule?.CaseSensitive == true;
        return type switch
        {
            AnswerType.Choice => ChoiceLetter(answer.Trim(), choices?.Count ?? 0) ?? ChoiceByText(answer, choices) ?? ExtractChoice(answer, choices?.Count ?? 0),
            AnswerType.Math => MathNormalizer.Normalize(answer.LastIndexOf("####", StringComparison.Ordinal) is int hashes and >= 0 ? answer[(hashes + 4)..] : answer),
            AnswerType.Exact => NormalizeExact(answer, caseSensitive),
            AnswerType.Label => MapLabel(answer, choices, caseSensitive) ?? NormalizePlain(answer, caseSensitive),
            AnswerType.Code => NormalizeCode(answer),
            _ => NormalizePlain(answer, caseSensitive),
        };
    }

    /// <summary>The letter of the option whose text the answer repeats ("Paris" for options [..., "Paris", ...]).</summary>
    private static string? ChoiceByText(string answer, IReadOnlyList<string>? choices)
    {
        if (choices is null || choices.Count is 0 or > 26) return null;
        string? wanted = NormalizePlain(answer, caseSensitive: false);
        for (int i = 0; i < choices.Count; i++)
            if (wanted is not null && string.Equals(NormalizePlain(choices[i], caseSensitive: false), wanted, StringComparison.Ordinal)) return ((char)('A' + i)).ToString();
        return null;
    }

    // ---- multiple choice ----

    private static string? ExtractChoice(string text, int choiceCount)
    {
        char last = choiceCount is > 0 and <= 26 ? (char)('A' + choiceCount - 1) : 'Z';
        string? Valid(string letter)
        {
            char c = char.ToUpperInvariant(letter[0]);
            return c >= 'A' && c <= last ? c.ToString() : null;
        }

        // Strongest signals first. Within one kind, the first statement that closes a paragraph wins:
        // models often conclude ("The answer is (E).") and then ramble on into made-up follow-up
        // questions or "combined" answers. When no statement closes a paragraph, the last one wins
        // (a model that corrects itself mid-paragraph).
        foreach (Regex pattern in ChoicePatterns)
        {
            MatchCollection matches = pattern.Matches(text);
            if (matches.Count == 0) continue;
            foreach (Match match in matches)
            {
                if (!ClosesParagraph().IsMatch(text.AsSpan(match.Index + match.Length))) continue;
                string? letter = Valid(match.Groups["l"].Value);
                if (letter is not null) return letter;
            }
            for (int i = matches.Count - 1; i >= 0; i--)
            {
                string? letter = Valid(matches[i].Groups["l"].Value);
                if (letter is not null) return letter;
            }
        }
        // A bare answer: "C", "(C)", "C.", "C) text", "**C**".
        Match bare = BareChoice().Match(text.Trim());
        if (bare.Success) return Valid(bare.Groups["l"].Value);
        return null;
    }

    private static string? ChoiceLetter(string answer, int choiceCount)
    {
        Match bare = BareChoice().Match(answer);
        if (!bare.Success) return null;
        char c = char.ToUpperInvariant(bare.Groups["l"].Value[0]);
        char last = choiceCount is > 0 and <= 26 ? (char)('A' + choiceCount - 1) : 'Z';
        return c <= last ? c.ToString() : null;
    }

    private static readonly Regex[] ChoicePatterns =
    [
        AnswerIsChoice(),
        AnswerColonChoice(),
        BoxedChoice(),
        OptionChoice(),
        OptionIsCorrect(),
        IsParenthesizedChoice(),
        HashChoice(),
        FinalParenthesizedChoice(),
    ];

    // "#### B", as GSM8K-style prompts end an answer.
    [GeneratedRegex(@"####\s*[\(\[\*]*(?<l>[A-Z])[\)\]\*]*(?![A-Za-z0-9])")]
    private static partial Regex HashChoice();

    // A response that ends with its letter in parentheses: "Paris is the capital of France. (B)".
    [GeneratedRegex(@"\((?<l>[A-Z])\)[\s\.\*]*$")]
    private static partial Regex FinalParenthesizedChoice();

    // What may follow a concluding statement: a short rest of its line without another answer, then a blank line or the end.
    [GeneratedRegex(@"^(?:(?!answer)[^\n]){0,80}?(?:\n\s*\n|\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex ClosesParagraph();

    // "The correct description is (E)." and similar: a parenthesised capital after a verb of choosing.
    [GeneratedRegex(@"\b(?:is|are|be|choose|select|option|choice)\s*:?\s*\((?<l>[A-Z])\)")]
    private static partial Regex IsParenthesizedChoice();

    [GeneratedRegex(@"answer\s+is\s*:?\s*(?:option\s+)?[\(\[\*]*\s*(?<l>[A-Za-z])\s*[\)\]\*]*(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerIsChoice();

    [GeneratedRegex(@"answer\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(?:option\s+)?[\(\[\*]*\s*(?<l>[A-Za-z])\s*[\)\]\*]*(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerColonChoice();

    [GeneratedRegex(@"\\boxed\{\s*(?:\\text\{)?\s*\(?(?<l>[A-Za-z])\)?\s*\}?\s*\}")]
    private static partial Regex BoxedChoice();

    [GeneratedRegex(@"(?:correct|best|right)\s+(?:option|choice)(?:\s+is\s*:?|\s*:)\s*[\(\[\*]*(?<l>[A-Za-z])(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex OptionChoice();

    // "Option B is correct." (a capital letter: "option a student could take is best" is prose).
    [GeneratedRegex(@"\b(?i:option|choice)\s+\(?(?<l>[A-Z])\)?\s+is\s+(?i:the\s+)?(?i:correct|right|best)\b")]
    private static partial Regex OptionIsCorrect();

    // A lone capital letter counts only when delimited ("C", "(C)", "C.", "C)", "**C**"): "A lot of ..." is prose.
    [GeneratedRegex(@"^[\*\s]*(?:\((?<l>[A-Z])\)|\[(?<l>[A-Z])\]|(?<l>[A-Z])(?:[\)\.:]|\*\*))(?:\s|$)|^[\*\s]*(?<l>[A-Z])\s*$", RegexOptions.None)]
    private static partial Regex BareChoice();

    // ---- math ----

    private static string? ExtractMath(string text)
    {
        string? boxed = MathNormalizer.LastBoxed(text);
        if (boxed is not null) return MathNormalizer.Normalize(boxed);

        Match hashes = HashAnswer().Match(text);
        if (hashes.Success) return MathNormalizer.Normalize(hashes.Groups["a"].Value);

        string? phrase = FinalAnswerPhrase(text);
        if (phrase is not null)
        {
            phrase = phrase.Replace("**", "", StringComparison.Ordinal).TrimStart('#', ' ');
            phrase = AndBetweenNumbers().Replace(phrase, ", "); // "2 and 3" lists two solutions
            string? normalized = MathNormalizer.Normalize(phrase);
            // "The answer is 18 apples, which is what she has left.": the value is what comes before the prose.
            if (normalized is not null && ProseInAnswer().IsMatch(normalized) && (HeadBeforeProse(phrase) ?? OnlyNumber(phrase)) is string head)
                normalized = MathNormalizer.Normalize(head) ?? normalized;
            if (normalized is not null) return normalized;
        }

        // Last resort, as common for GSM8K-style answers: the last number in the text.
        MatchCollection numbers = LastNumber().Matches(text);
        return numbers.Count == 0 ? null : MathNormalizer.Normalize(numbers[^1].Value);
    }

    /// <summary>The stated value before the first word of prose ("18" of "18 apples, which is ..."), when it holds a digit.</summary>
    private static string? HeadBeforeProse(string phrase)
    {
        Match word = ProseWordInPhrase().Match(phrase);
        if (!word.Success || word.Index == 0) return null;
        string head = phrase[..word.Index].TrimEnd(' ', '\t', ',', '(', ':', ';');
        return head.Any(char.IsAsciiDigit) ? head : null;
    }

    /// <summary>The one number of a phrase of words ("eight (8)"), else null.</summary>
    private static string? OnlyNumber(string phrase)
    {
        MatchCollection numbers = LastNumber().Matches(phrase);
        return numbers.Count == 1 ? numbers[0].Value : null;
    }

    // A word of two or more letters after a space, comma or parenthesis (LaTeX commands follow a backslash).
    [GeneratedRegex(@"(?<=[\s,(])[A-Za-z]{2,}(?![A-Za-z])")]
    private static partial Regex ProseWordInPhrase();

    // Three letters in a row that are not a LaTeX command: prose left in a normalised math answer.
    [GeneratedRegex(@"(?<![\\A-Za-z])[A-Za-z]{3,}")]
    private static partial Regex ProseInAnswer();

    [GeneratedRegex(@"(?<=\d)\s+(?:and|or)\s+(?=-?\d)")]
    private static partial Regex AndBetweenNumbers();

    /// <summary>The text after the last "the answer is" / "Answer:", up to the end of its sentence.</summary>
    private static string? FinalAnswerPhrase(string text) => LastStated(AnswerPhrase(), text);

    /// <summary>
    /// The value stated by the last match of <paramref name="phrase"/>: "**Final Answer:** 17" without the bold
    /// marker; a phrase that nests another ("Final Answer: The final answer is $10$. I hope it is correct.", as
    /// Minerva-style prompts ask) gives the inner value; a phrase that ends its line and is followed by a code
    /// fence ("The output is:" then ```python [] ```) gives the fence's content.
    /// </summary>
    private static string? LastStated(Regex phrase, string text)
    {
        MatchCollection matches = phrase.Matches(text);
        if (matches.Count == 0) return null;
        Group stated = matches[^1].Groups["a"];
        string value = stated.Value.Trim();
        if (value.StartsWith("```", StringComparison.Ordinal))
        {
            Match fence = LeadingFence().Match(text, stated.Index);
            return fence.Success && fence.Groups["c"].Value.Trim() is { Length: > 0 } content ? content : null;
        }
        for (int depth = 0; depth < 2; depth++)
        {
            MatchCollection inner = AnswerPhrase().Matches(value);
            if (inner.Count == 0 || inner[^1].Groups["a"].Value.Trim().Length == 0) break;
            value = inner[^1].Groups["a"].Value.Trim();
        }
        // "**Final Answer:** 17": the bold marker that closes the phrase is not part of the answer.
        if (value.StartsWith("**", StringComparison.Ordinal)) value = value[2..].TrimStart();
        value = value.TrimEnd('.', ' ', '*').Trim();
        return value.Length == 0 ? null : value;
    }

    [GeneratedRegex(@"\G```[\w+-]*[ \t]*\n(?<c>.*?)\n?[ \t]*```", RegexOptions.Singleline)]
    private static partial Regex LeadingFence();

    [GeneratedRegex(@"####\s*(?<a>[^\n]+)")]
    private static partial Regex HashAnswer();

    [GeneratedRegex(@"\[(?<t>ANSWER|PYTHON)\](?<a>.*?)\[/\k<t>\]", RegexOptions.Singleline)]
    private static partial Regex AnswerTag();

    // "assert f(x) == y", or the comparison without assert when its left side is a call: "f('abc') == 'cba'".
    [GeneratedRegex(@"^(?:assert\s.+?\s==\s|[A-Za-z_][\w.]*\(.*?\)\s*==\s*)(?<rhs>.+)$", RegexOptions.Singleline)]
    private static partial Regex AssertRightSide();

    // "The output is 'abc'." or a line "Output: 'abc'" (as output-prediction prompts ask).
    [GeneratedRegex(@"\bthe\s+(?:final\s+)?(?:output|result|return(?:ed)?\s+value)\s+(?:is|will\s+be|would\s+be|should\s+be)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|\)\s+(?:returns|evaluates\s+to)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|^\s*(?:\*\*)?output(?:\*\*)?\s*:\s*(?:\*\*)?\s*(?<a>[^\n]+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex OutputIs();

    [GeneratedRegex(@"^```[\w+-]*\s*\n?(?<c>.*?)\n?```$", RegexOptions.Singleline)]
    private static partial Regex WholeFence();

    [GeneratedRegex(@"(?:final\s+answer|the\s+answer)\s*(?:is|:)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|^\s*(?:\*\*)?answer(?:\*\*)?\s*:\s*(?<a>[^\n]+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerPhrase();

    [GeneratedRegex(@"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?")]
    private static partial Regex LastNumber();

    // ---- exact, label, code ----

    private static string? ExtractExact(string text, GradingRule? rule)
    {
        // CRUXEval's convention: "[ANSWER] assert f(x) == 'y' [/ANSWER]".
        MatchCollection tagged = AnswerTag().Matches(text);
        if (tagged.Count > 0) return NormalizeExact(tagged[^1].Groups["a"].Value, rule?.CaseSensitive == true);
        string? phrase = FinalAnswerPhrase(text) ?? OutputPhrase(text);
        string? stated = phrase is null ? CallResult(text) ?? TrailingFence(text) ?? BareAnswer(text) : LeadingLiteral(phrase) ?? phrase;
        return stated is null ? null : NormalizeExact(stated, rule?.CaseSensitive == true);
    }

    /// <summary>The right side of the last line that equates a call with a value: "assert f('abc') == 'cba'", "So, f('abc') = 'cba'."</summary>
    private static string? CallResult(string text)
    {
        // The conclusion is at the end; a bounded tail keeps a long looping response from costing quadratic time.
        MatchCollection matches = CallEquals().Matches(text.Length > 4000 ? text[^4000..] : text);
        return matches.Count == 0 ? null : matches[^1].Groups["a"].Value.Trim().TrimEnd('.').Trim() is { Length: > 0 } value ? LeadingLiteral(value) ?? value : null;
    }

    // A call, == or =, and the rest of the line (a keyword argument "f(x=1)" stays inside the parentheses).
    [GeneratedRegex(@"(?<![\w.])[A-Za-z_][\w.]*\([^\n]*\)[ \t]*={1,2}[ \t]*(?<a>[^\n=][^\n]*?)[ \t`]*$", RegexOptions.Multiline)]
    private static partial Regex CallEquals();

    /// <summary>The content of a code fence that ends the response, when it is one literal ("```\n[3, 2, 1]\n```").</summary>
    private static string? TrailingFence(string text)
    {
        Match fence = ClosingFence().Match(text);
        if (!fence.Success) return null;
        string content = fence.Groups["c"].Value.Trim();
        return content.Length is > 0 and <= 2000 && LenientJson.TryParseWhole(content, out _) ? content : null;
    }

    [GeneratedRegex(@"```[\w+-]*[ \t]*\n(?<c>[^`]*?)\n?[ \t]*```\s*$")]
    private static partial Regex ClosingFence();

    /// <summary>
    /// The literal a stated phrase begins with when prose follows it ("'abc', because the function reverses it" gives
    /// 'abc'; "[1, 2] since both are kept" gives [1, 2]); null when the phrase is one literal or starts with none.
    /// </summary>
    private static string? LeadingLiteral(string phrase)
    {
        string t = Unwrap(phrase.Trim());
        if (t.Length == 0 || t[0] is not ('\'' or '"' or '[' or '(' or '{' or '-' or (>= '0' and <= '9') or 'T' or 'F' or 'N' or 't' or 'f' or 'n')) return null;
        if (LenientJson.TryParseWhole(t, out _) || !LenientJson.TryParseValue(t, 0, out _, out int end) || end <= 0 || end >= t.Length) return null;
        return char.IsWhiteSpace(t[end]) || t[end] is ',' or ';' or '(' ? t[..end] : null;
    }

    /// <summary>
    /// A response without an answer marker is its own answer only when it is short (one line of at most 60 characters); otherwise its last
    /// line when that is a literal ("'abc'", "[1, 2]"). Prose that never states an answer yields none, so it is
    /// reported as unreadable instead of voting with a paragraph.
    /// </summary>
    private static string? BareAnswer(string text)
    {
        string trimmed = Unwrap(text.Trim());
        if (trimmed.Length <= 60 && trimmed.IndexOf('\n') < 0) return trimmed;
        int end = trimmed.Length;
        while (end > 0 && char.IsWhiteSpace(trimmed[end - 1])) end--;
        int start = trimmed.LastIndexOf('\n', Math.Max(0, end - 1)) + 1;
        string last = Unwrap(trimmed[start..end].Trim());
        return last.Length is > 0 and <= 2000 && LenientJson.TryParseWhole(last, out _) ? last : null;
    }

    private static string? OutputPhrase(string text) => LastStated(OutputIs(), text);

    /// <summary>
    /// Exact answers compare as literals: quotes, backticks and a trailing full stop dropped; Python and JSON
    /// spellings agree ('a' and "a", True and true, None and null, tuples and lists); whitespace inside brackets
    /// and number spellings do not matter; a bare abc equals 'abc'. Text that is no literal is compared with its
    /// whitespace collapsed. Case is folded unless the dataset's rule says otherwise.
    /// </summary>
    /// <param name="isString">The text is a string value already (a JSON answer field): if it is no literal itself, it is
    /// compared as is, not trimmed of quotes and full stops.</param>
    internal static string? NormalizeExact(string text, bool caseSensitive = false, bool isString = false)
    {
        // The empty string is an answer ('' or ""), distinct from none.
        if (isString && text.Length == 0) return "''";
        string s = Unwrap(text.Trim());
        Match assertion = AssertRightSide().Match(s);
        if (assertion.Success) s = Unwrap(assertion.Groups["rhs"].Value.Trim());
        string? literal = null;
        if (s.Length > 0 && s.Length <= 100_000 && s[0] is '\'' or '"' or '[' or '(' or '{' or '-' or '+' or '.' or (>= '0' and <= '9') or 'T' or 'F' or 'N' or 't' or 'f' or 'n')
        {
            if (LenientJson.TryParseWhole(s, out object? value) || LenientJson.TryParseWhole(s.TrimEnd('.').TrimEnd(), out value))
                literal = value is string { Length: 0 } ? "''" : LenientJson.Canonical.Of(value);
        }
        // A top-level string keeps its inner spacing; anything else is already in canonical spacing.
        if (literal is null && isString && s.Length > 0) literal = s;
        if (literal is not null) return caseSensitive ? literal : literal.ToLowerInvariant();
        return NormalizePlain(s, caseSensitive);
    }

    /// <summary>Drops what wraps an answer: a code fence, backticks, bold markers.</summary>
    private static string Unwrap(string s)
    {
        Match fenced = WholeFence().Match(s);
        if (fenced.Success) s = fenced.Groups["c"].Value.Trim();
        for (int guard = 0; guard < 4; guard++)
        {
            string before = s;
            if (s.Length >= 4 && s.StartsWith("**", StringComparison.Ordinal) && s.EndsWith("**", StringComparison.Ordinal)) s = s[2..^2].Trim();
            if (s.Length >= 2 && s[0] == '`' && s[^1] == '`') s = s.Trim('`').Trim();
            if (s == before) break;
        }
        return s;
    }

    private static string? NormalizePlain(string text, bool caseSensitive)
    {
        string collapsed = Whitespace().Replace(text.Trim(), " ").Trim().TrimEnd('.').Trim().Trim('"', '\'', '*', '`').Trim();
        if (collapsed.Length == 0) return null;
        return caseSensitive ? collapsed : collapsed.ToLowerInvariant();
    }

    private static string? ExtractLabel(string text, IReadOnlyList<string>? labels, GradingRule? rule)
    {
        bool caseSensitive = rule?.CaseSensitive == true;
        string candidate = FinalAnswerPhrase(text) ?? text;
        string? mapped = MapLabel(candidate, labels, caseSensitive);
        if (mapped is not null || labels is null || labels.Count == 0) return mapped ?? NormalizePlain(candidate, caseSensitive);
        // Otherwise: the one label the text mentions, if exactly one.
        string lowered = text.ToLowerInvariant();
        string[] mentioned = labels.Select(l => l.Trim().ToLowerInvariant()).Distinct()
            .Where(l => l.Length > 0 && Regex.IsMatch(lowered, $@"(?<![\w]){Regex.Escape(l)}(?![\w])", RegexOptions.None, TimeSpan.FromSeconds(1))).ToArray();
        return mentioned.Length == 1 ? mentioned[0] : null;
    }

    private static string? MapLabel(string answer, IReadOnlyList<string>? labels, bool caseSensitive = false)
    {
        string? normalized = NormalizePlain(answer, caseSensitive);
        if (normalized is null || labels is null) return normalized;
        foreach (string label in labels)
        {
            if (string.Equals(label.Trim(), normalized, StringComparison.OrdinalIgnoreCase)) return caseSensitive ? label.Trim() : label.Trim().ToLowerInvariant();
        }
        return null;
    }

    private static string? NormalizeCode(string text)
    {
        Match fenced = CodeFence().Match(text);
        string code = fenced.Success ? fenced.Groups["c"].Value : text;
        var lines = code.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0);
        string joined = string.Join('\n', lines);
        return joined.Length == 0 ? null : joined;
    }

    [GeneratedRegex(@"```[\w+-]*\n(?<c>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeFence();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
