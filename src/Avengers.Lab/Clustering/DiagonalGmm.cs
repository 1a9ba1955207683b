namespace Avengers.Clustering;

/// <summary>
/// A Gaussian mixture with diagonal covariances fitted by EM, started from k-means with the same seed;
/// each point is labelled with its most probable component. Variances are floored so no component
/// collapses onto one point.
/// </summary>
public static class DiagonalGmm
{
    private const double VarianceFloor = 1e-4;

    /// <summary>Fits a Gaussian mixture with diagonal covariances by EM, started from k-means.</summary>
    /// <param name="points">Unit vectors to cluster.</param>
    /// <param name="options">K, seed and iteration cap of the k-means start.</param>
    /// <param name="maxIterations">EM iterations at most.</param>
    /// <param name="tolerance">Stop when the log-likelihood gains less than this.</param>
    public static KMeansResult Fit(VectorSet points, KMeansOptions options, int maxIterations = 50, double tolerance = 1e-4)
    {
        KMeansResult start = KMeans.Fit(points, options);
        int n = points.Count, d = points.Dimension, k = options.K;
        var means = start.Centroids.Data.Select(v => (double)v).ToArray();
        var variances = new double[k * d];
        Array.Fill(variances, 1.0);
        var weights = new double[k];
        var resp = new double[n * k];
        for (int i = 0; i < n; i++) resp[i * k + start.Labels[i]] = 1;
        MStep(points, resp, means, variances, weights, k);

        double previous = double.NegativeInfinity;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double logLikelihood = EStep(points, resp, means, variances, weights, k);
            MStep(points, resp, means, variances, weights, k);
            if (logLikelihood - previous < tolerance * Math.Abs(logLikelihood)) break;
            previous = logLikelihood;
        }

        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < k; j++) if (resp[i * k + j] > resp[i * k + best]) best = j;
            labels[i] = best;
        }
        // Components that won no point keep their k-means member so every cluster stays non-empty.
        var used = labels.ToHashSet();
        for (int j = 0; j < k; j++)
        {
            if (used.Contains(j)) continue;
            int member = Array.IndexOf(start.Labels, j);
            if (member >= 0) labels[member] = j;
        }
        var (centroids, inertia) = ClusteringMethod.Means(points, labels, k);
        return new KMeansResult(centroids, labels, inertia, maxIterations, 0);
    }

    private static double EStep(VectorSet points, double[] resp, double[] means, double[] variances, double[] weights, int k)
    {
        int n = points.Count, d = points.Dimension;
        var logNorm = new double[k];
        for (int j = 0; j < k; j++)
        {
            double sumLogVar = 0;
            for (int t = 0; t < d; t++) sumLogVar += Math.Log(variances[j * d + t]);
            logNorm[j] = Math.Log(Math.Max(weights[j], 1e-300)) - 0.5 * (d * Math.Log(2 * Math.PI) + sumLogVar);
        }
        double total = 0;
        var partial = new double[n];
        Parallel.For(0, n, i =>
        {
            ReadOnlySpan<float> x = points[i];
            Span<double> logp = stackalloc double[k];
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
            {
                double quad = 0;
                for (int t = 0; t < d; t++)
                {
                    double diff = x[t] - means[j * d + t];
                    quad += diff * diff / variances[j * d + t];
                }
                logp[j] = logNorm[j] - 0.5 * quad;
                if (logp[j] > max) max = logp[j];
            }
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.Exp(logp[j] - max);
            for (int j = 0; j < k; j++) resp[i * k + j] = Math.Exp(logp[j] - max) / sum;
            partial[i] = max + Math.Log(sum);
        });
        foreach (double p in partial) total += p;
        return total;
    }

    private static void MStep(VectorSet points, double[] resp, double[] means, double[] variances, double[] weights, int k)
    {
        int n = points.Count, d = points.Dimension;
        Parallel.For(0, k, j =>
        {
            double mass = 0;
            var mean = new double[d];
            for (int i = 0; i < n; i++)
            {
                double r = resp[i * k + j];
                if (r < 1e-12) continue;
                mass += r;
                ReadOnlySpan<float> x = points[i];
                for (int t = 0; t < d; t++) mean[t] += r * x[t];
            }
            weights[j] = mass / n;
            if (mass < 1e-9) return; // keeps the previous parameters of an empty component
            for (int t = 0; t < d; t++) mean[t] /= mass;
            var variance = new double[d];
            for (int i = 0; i < n; i++)
            {
                double r = resp[i * k + j];
                if (r < 1e-12) continue;
                ReadOnlySpan<float> x = points[i];
                for (int t = 0; t < d; t++) { double diff = x[t] - mean[t]; variance[t] += r * diff * diff; }
            }
            for (int t = 0; t < d; t++)
            {
                means[j * d + t] = mean[t];
                variances[j * d + t] = Math.Max(VarianceFloor, variance[t] / mass);
            }
        });
    }
}
