using Avengers.Data;
using Avengers.Answers;

namespace Avengers.Evaluation;

/// <summary>
/// Grades recorded samples: the recorded score when present; else the answer (recorded, or extracted
/// from the text by the record's answer type) compared with the normalised gold answer.
/// </summary>
public static class Grader
{
    /// <summary>The normalised answer a sample votes with (null: abstains).</summary>
    public static string? AnswerOf(BenchmarkRecord record, Sample sample)
        => sample.Answer is not null
            ? AnswerExtractor.Normalize(sample.Answer, record.AnswerType, record.Choices, record.Grading)
            : AnswerExtractor.Extract(sample.Text, record.AnswerType, record.Choices, record.Grading);

    /// <summary>The record's gold answer in normalised form (null when absent or not comparable).</summary>
    public static string? GoldOf(BenchmarkRecord record)
        => record.AnswerType == AnswerType.Text ? null : AnswerExtractor.Normalize(record.Gold, record.AnswerType, record.Choices, record.Grading);

    /// <summary>Correctness in [0, 1], or null when the sample cannot be graded (no score and no comparable gold).</summary>
    public static double? Grade(BenchmarkRecord record, Sample sample, string? answer, string? gold, GradingProtocol protocol = GradingProtocol.Strict)
    {
        if (sample.Score is double score) return score;
        if (gold is null) return null;
        if (protocol == GradingProtocol.MmluPro && record.AnswerType == AnswerType.Choice && sample.Text is not null)
            return MmluProProtocol.Grade(record, sample.Text, gold);
        return GradingRule.Agree(answer, gold, record.Grading) ? 1 : 0;
    }
}
