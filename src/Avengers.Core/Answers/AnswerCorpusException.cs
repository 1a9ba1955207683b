namespace Avengers.Answers;

/// <summary>A corpus file that cannot be read: the file, the line and the field, and what was expected.</summary>
public sealed class AnswerCorpusException(string file, int line, string field, string message)
    : AvengersException($"{file}:{line}: {field}: {message}");
