using Avengers.Data;

namespace Avengers.Collection;

/// <summary>
/// How a question is put to the models. The defaults ask, per answer type, for the final answer in a form the
/// extractor reads ("The answer is (C)."); a template file overrides them: its text with <c>{query}</c> and
/// <c>{choices}</c> (the options, one per line, lettered), an optional first line <c>system: ...</c>.
/// </summary>
public sealed record PromptTemplate(string User, string? System = null)
{
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
        string text = File.ReadAllText(path);
        if (!text.Contains("{query}", StringComparison.Ordinal)) throw new ArgumentException($"{path}: the template must contain {{query}}");
        if (text.StartsWith("system:", StringComparison.OrdinalIgnoreCase))
        {
            int end = text.IndexOf('\n');
            return end < 0 ? throw new ArgumentException($"{path}: a template needs a user message after its 'system:' line")
                : new PromptTemplate(text[(end + 1)..].TrimStart('\n'), text[7..end].Trim());
        }
        return new PromptTemplate(text);
    }

    public string Render(Question question)
    {
        string choices = question.Choices is null ? ""
            : string.Join("\n", question.Choices.Select((c, i) => question.AnswerType == AnswerType.Label || question.Choices.Count > 26 ? $"- {c}" : $"({(char)('A' + i)}) {c}"));
        return User.Replace("{query}", question.Query, StringComparison.Ordinal).Replace("{choices}", choices, StringComparison.Ordinal);
    }
}
