namespace Avengers.Data;

/// <summary>One query of a benchmark file with the recorded outputs of every model.</summary>
public sealed record BenchmarkRecord
{
    public required string Id { get; init; }
    public required string Dataset { get; init; }
    public required string Query { get; init; }
    public AnswerType AnswerType { get; init; } = AnswerType.Text;
    public string? Gold { get; init; }
    public IReadOnlyList<string>? Choices { get; init; }
    /// <summary>"train", "test", or null when the file carries no split.</summary>
    public string? Split { get; init; }
    /// <summary>Recorded samples per model name. Models may be absent from some records.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<Sample>> Outputs { get; init; }
    /// <summary>How this record's answers are read and compared, when its dataset has a rule (null: the answer type's defaults).</summary>
    public Voting.GradingRule? Grading { get; init; }
}
