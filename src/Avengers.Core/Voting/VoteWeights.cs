namespace Avengers.Voting;

/// <summary>Weights for accuracy-weighted voting.</summary>
internal static class VoteWeights
{
    /// <summary>Options assumed when an artifact does not record how many a question has (MMLU's four).</summary>
    public const int DefaultOptions = 4;

    /// <summary>
    /// The optimal weight of an independent voter with accuracy <paramref name="accuracy"/> among
    /// <paramref name="options"/> equally likely wrong answers: ln((options - 1) * p / (1 - p)), never
    /// below zero (a voter no better than chance gets no say). Accuracy is clamped to [0.01, 0.99].
    /// </summary>
    public static double LogOdds(double accuracy, int options)
    {
        if (double.IsNaN(accuracy)) return 0;
        double p = Math.Clamp(accuracy, 0.01, 0.99);
        int m = Math.Max(2, options);
        return Math.Max(0, Math.Log((m - 1) * p / (1 - p)));
    }
}
