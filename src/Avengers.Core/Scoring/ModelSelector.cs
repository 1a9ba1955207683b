namespace Avengers.Scoring;

/// <summary>
/// Picks the N best models: per cluster, the first-ranked model gets a point and the second half a
/// point; models are ordered by points, then first places, then global accuracy, then name.
/// </summary>
public static class ModelSelector
{
    /// <summary>Every model ranked by its points (one per cluster it leads, half per cluster where it is second), then first places, global accuracy and name.</summary>
    public static IReadOnlyList<SelectionEntry> Rank(ClusterScores scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int m = scores.Models.Count;
        var firsts = new int[m];
        var seconds = new int[m];
        for (int k = 0; k < scores.ClusterCount; k++)
        {
            if (scores.Sizes[k] == 0) continue;
            ReadOnlySpan<int> ranking = scores.Ranking(k);
            if (ranking.Length > 0) firsts[ranking[0]]++;
            if (ranking.Length > 1) seconds[ranking[1]]++;
        }
        return Enumerable.Range(0, m)
            .Select(j => new SelectionEntry(scores.Models[j], firsts[j], seconds[j], firsts[j] + 0.5 * seconds[j], scores.GlobalAccuracy(j)))
            .OrderByDescending(e => e.Points).ThenByDescending(e => e.FirstPlaces).ThenByDescending(e => e.GlobalAccuracy)
            .ThenBy(e => e.Model, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The top <paramref name="count"/> models (all when count exceeds the pool).</summary>
    public static IReadOnlyList<string> Select(ClusterScores scores, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Rank(scores).Take(count).Select(e => e.Model).ToList();
    }
}
