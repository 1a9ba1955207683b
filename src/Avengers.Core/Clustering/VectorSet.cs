namespace Avengers.Clustering;

/// <summary>A dense row-major set of vectors of one dimension.</summary>
public sealed class VectorSet
{
    public VectorSet(float[] data, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (data.Length % dimension != 0) throw new ArgumentException($"data length {data.Length} is not a multiple of dimension {dimension}", nameof(data));
        Data = data;
        Dimension = dimension;
    }

    public float[] Data { get; }
    public int Dimension { get; }
    public int Count => Data.Length / Dimension;
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
