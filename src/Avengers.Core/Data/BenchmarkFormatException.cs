namespace Avengers.Data;

/// <summary>A benchmark file is malformed. The message names the file, the 1-based line and the field.</summary>
public sealed class BenchmarkFormatException(string file, int line, string field, string problem)
    : AvengersException($"{file}:{line}: field '{field}': {problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Field { get; } = field;
}
