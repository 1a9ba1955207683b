namespace Avengers.Data;

/// <summary>A benchmark file is malformed. The message names the file, the 1-based line and the field.</summary>
public sealed class BenchmarkFormatException(string file, int line, string field, string problem)
    : AvengersException($"{file}:{line}: field '{field}': {problem}")
{
    /// <summary>The file.</summary>
    public string File { get; } = file;
    /// <summary>The 1-based line.</summary>
    public int Line { get; } = line;
    /// <summary>The field, e.g. <c>outputs.gpt-4.0.text</c>.</summary>
    public string Field { get; } = field;
}
