using Avengers.Answers;
namespace Avengers.Data;

/// <summary>One query of a benchmark file with the recorded outputs of every model.</summary>
public sealed record BenchmarkRecord
{
    /// <summary>Unique id within the file.</summary>
    public required string Id { get; init; }
    /// <summary>The dataset or category the query belongs to (reported per dataset; never used to route).</summary>
    public required string Dataset { get; init; }
    /// <summary>The question as the models saw it.</summary>
    public required string Query { get; init; }
    /// <summary>How answers are read and compared.</summary>
    public AnswerType AnswerType { get; init; } = AnswerType.Text;
    /// <summary>The reference answer (null when only scores are recorded).</summary>
    public string? Gold { get; init; }
    /// <summary>The options of a multiple-choice question, in order (A, B, ...).</summary>
    public IReadOnlyList<string>? Choices { get; init; }
    /// <summary>"train", "test", or null when the file carries no split.</summary>
    public string? Split { get; init; }
    /// <summary>Recorded samples per model name. Models may be absent from some records.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<Sample>> Outputs { get; init; }
    /// <summary>True when the file gave no <c>answer_type</c> and it was inferred from the gold answer (<see cref="AnswerTypes.Infer"/>).</summary>
    public bool AnswerTypeInferred { get; init; }
    /// <summary>How this record's answers are read and compared, when its dataset has a rule (null: the answer type's defaults).</summary>
    public Avengers.Answers.GradingRule? Grading { get; init; }
}
