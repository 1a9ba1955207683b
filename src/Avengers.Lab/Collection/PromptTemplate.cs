using Avengers.Answers;

namespace Avengers.Collection;

/// <summary>
/// How a question is put to the models. The defaults ask, per answer type, for the final answer in a form the
/// extractor reads ("The answer is (C)."); a template file overrides them: its text with <c>{query}</c> and
/// <c>{choices}</c> (the options, one per line, lettered), after optional header lines <c>system: ...</c> (a system
/// message) and <c>json: true</c> (ask for a JSON object; the extractor reads its answer field).
/// </summary>
public sealed record PromptTemplate(string User, string? System = null, bool Json = false)
{
    /// <summary>The built-in prompt for an answer type: the question and how to state the answer.</summary>
    public static PromptTemplate Default(AnswerType type) => type switch
    {
        AnswerType.Choice => new("{query}\n\n{choices}\n\nThink step by step, then finish with \"The answer is (X).\" where X is the letter of your choice."),
        AnswerType.Math => new("{query}\n\nSolve it step by step, then finish with \"The answer is N.\" where N is the final result alone."),
        AnswerType.Label => new("{query}\n\nOptions:\n{choices}\n\nFinish with \"The answer is L.\" where L is one of the options, written as given."),
        AnswerType.Code => new("{query}\n\nAnswer with the code in one fenced block."),
        _ => new("{query}\n\nThink it through, then finish with \"The answer is ...\" followed by the final answer alone."),
    };

    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static PromptTemplate Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"prompt template not found: {path}", path);
        string text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!text.Contains("{query}", StringComparison.Ordinal)) throw new ArgumentException($"{path}: the template must contain {{query}}");
        string? system = null;
        bool json = false;
        // Header lines, in any order: "system: ..." and "json: true".
        while (true)
        {
            int end = text.IndexOf('\n');
            string first = end < 0 ? text : text[..end];
            if (first.StartsWith("system:", StringComparison.OrdinalIgnoreCase)) system = first[7..].Trim();
            else if (first.StartsWith("json:", StringComparison.OrdinalIgnoreCase)) json = first[5..].Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
            else break;
            if (end < 0) throw new ArgumentException($"{path}: a template needs a user message after its header lines");
            text = text[(end + 1)..];
        }
        return new PromptTemplate(text.TrimStart('\n'), system, json);
    }

    /// <summary>The messages for one question.</summary>
    public string Render(Question question)
    {
        string choices = question.Choices is null ? ""
            : string.Join("\n", question.Choices.Select((c, i) => question.AnswerType == AnswerType.Label || question.Choices.Count > 26 ? $"- {c}" : $"({(char)('A' + i)}) {c}"));
        return User.Replace("{query}", question.Query, StringComparison.Ordinal).Replace("{choices}", choices, StringComparison.Ordinal);
    }
}
