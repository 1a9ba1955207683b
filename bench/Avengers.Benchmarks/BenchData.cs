using Avengers.Clustering;

namespace Avengers.Benchmarks;

/// <summary>Seeded unit vectors shaped like sentence embeddings: 200 topics, each point a noisy copy of its topic.</summary>
internal static class BenchData
{
    public static VectorSet UnitVectors(int count, int dimension, int topics = 200, float noise = 0.05f, int seed = 42)
    {
        var random = new Random(seed);
        var centres = new float[topics * dimension];
        for (int i = 0; i < centres.Length; i++) centres[i] = Gaussian(random);
        for (int c = 0; c < topics; c++) Normalize(centres.AsSpan(c * dimension, dimension));
        var data = new float[count * dimension];
        for (int i = 0; i < count; i++)
        {
            int topic = random.Next(topics);
            for (int t = 0; t < dimension; t++) data[i * dimension + t] = centres[topic * dimension + t] + noise * Gaussian(random);
            Normalize(data.AsSpan(i * dimension, dimension));
        }
        return new VectorSet(data, dimension);
    }

    private static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static void Normalize(Span<float> v)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
    }
}
