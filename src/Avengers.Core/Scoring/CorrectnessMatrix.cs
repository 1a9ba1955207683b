namespace Avengers.Scoring;

/// <summary>
/// Per item and model: correctness in [0, 1] (the mean over a model's samples), or NaN where the
/// model has no output for that item. Rows are items, columns are <see cref="Models"/>.
/// </summary>
public sealed class CorrectnessMatrix
{
    private readonly double[] _values;

    /// <summary>An items x models table, every cell NaN (no output) until set.</summary>
    public CorrectnessMatrix(IReadOnlyList<string> models, int items)
    {
        ArgumentNullException.ThrowIfNull(models);
        Models = models;
        Items = items;
        _values = new double[items * models.Count];
        Array.Fill(_values, double.NaN);
    }

    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Models { get; }
    /// <summary>Rows.</summary>
    public int Items { get; }

    /// <summary>How correct a model was on an item (0 to 1; NaN: no output).</summary>
    public double this[int item, int model]
    {
        get => _values[item * Models.Count + model];
        set
        {
            if (!double.IsNaN(value) && value is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(value), value, "correctness must lie in [0, 1] (or NaN for absent)");
            _values[item * Models.Count + model] = value;
        }
    }
}
