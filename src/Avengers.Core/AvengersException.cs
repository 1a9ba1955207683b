namespace Avengers;

/// <summary>
/// The base of every failure the product reports on purpose. Its message is written for the user: one line (or a
/// list of every problem), naming the file, line, field or model and what was expected. Hosts print it as it is,
/// never with a stack trace; anything else that escapes is a bug.
/// </summary>
public abstract class AvengersException(string message, Exception? inner = null) : Exception(message, inner);
