using Avengers.Clustering;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Avengers.Benchmarks;

/// <summary>ML.NET's k-means (k-means++ start) on the same vectors, as the peer to beat.</summary>
internal sealed class MlNetKMeans
{
    private readonly MLContext _ml = new(seed: 42);
    private readonly IDataView _view;
    private readonly int _k;

    public MlNetKMeans(VectorSet points, int k)
    {
        _k = k;
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, points.Dimension);
        var rows = Enumerable.Range(0, points.Count).Select(i => new Row { Features = points[i].ToArray() }).ToList();
        _view = _ml.Data.Cache(_ml.Data.LoadFromEnumerable(rows, schema));
    }

    public float[][] Fit()
    {
        var model = _ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            NumberOfClusters = _k,
            InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
        }).Fit(_view);
        VBuffer<float>[] centroids = default!;
        model.Model.GetClusterCentroids(ref centroids, out _);
        return centroids.Select(c => c.DenseValues().ToArray()).ToArray();
    }

    public static double Inertia(VectorSet points, IReadOnlyList<float[]> centroids)
    {
        double total = 0;
        for (int i = 0; i < points.Count; i++)
        {
            double best = double.MaxValue;
            foreach (float[] c in centroids)
            {
                double d = System.Numerics.Tensors.TensorPrimitives.Distance(points[i], c);
                best = Math.Min(best, d * d);
            }
            total += best;
        }
        return total;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
