namespace Avengers.Clustering;

/// <summary>A dense row-major set of vectors of one dimension.</summary>
public sealed class VectorSet
{
    /// <summary>Wraps row-major data of <paramref name="dimension"/> columns (no copy).</summary>
    /// <param name="data">The rows, one after the other.</param>
    /// <param name="dimension">Length of each row.</param>
    public VectorSet(float[] data, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (data.Length % dimension != 0) throw new ArgumentException($"data length {data.Length} is not a multiple of dimension {dimension}", nameof(data));
        Data = data;
        Dimension = dimension;
    }

    /// <summary>The rows, one after the other.</summary>
    public float[] Data { get; }
    /// <summary>Length of each row.</summary>
    public int Dimension { get; }
    /// <summary>Number of rows.</summary>
    public int Count => Data.Length / Dimension;
    /// <summary>Row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> this[int index] => Data.AsSpan(index * Dimension, Dimension);


    /// <summary>Throws when any value is NaN or infinite (a broken embedding would poison every centroid).</summary>
    public void EnsureFinite(string what)
    {
        for (int i = 0; i < Data.Length; i++)
        {
            if (!float.IsFinite(Data[i])) throw new ArgumentException($"{what}: vector {i / Dimension} holds a non-finite value at position {i % Dimension}");
        }
    }
}
