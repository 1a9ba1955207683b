namespace Avengers.Clustering;

/// <summary>Settings of <see cref="KMeans"/>. Defaults are the method's (K = 64, seed 42).</summary>
public sealed record KMeansOptions
{
    /// <summary>K unless set.</summary>
    public const int DefaultK = 64;
    /// <summary>Seed unless set.</summary>
    public const int DefaultSeed = 42;

    /// <summary>Clusters to find.</summary>
    public int K { get; init; } = DefaultK;
    /// <summary>Seed of the k-means++ starts.</summary>
    public int Seed { get; init; } = DefaultSeed;
    /// <summary>Independent k-means++ starts; the lowest inertia wins.</summary>
    public int Restarts { get; init; } = 3;
    /// <summary>Lloyd iterations at most.</summary>
    public int MaxIterations { get; init; } = 300;
    /// <summary>Stop when no centroid moves more than this (Euclidean), or no point changes cluster.</summary>
    public double Tolerance { get; init; } = 1e-5;
    /// <summary>Threads for the assignment step (null: all cores). Results do not depend on it.</summary>
    public int? Threads { get; init; }

    /// <summary>Checks every setting and reports all problems at once.</summary>
    public void Validate(int pointCount)
    {
        var problems = new List<string>();
        if (K < 1) problems.Add($"K must be at least 1 (got {K})");
        if (K > pointCount) problems.Add($"K = {K} exceeds the number of points ({pointCount}); lower K or add data");
        if (Restarts < 1) problems.Add($"Restarts must be at least 1 (got {Restarts})");
        if (MaxIterations < 1) problems.Add($"MaxIterations must be at least 1 (got {MaxIterations})");
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance)) problems.Add($"Tolerance must be a finite non-negative number (got {Tolerance})");
        if (Threads is < 1) problems.Add($"Threads must be at least 1 (got {Threads})");
        if (problems.Count > 0) throw new ArgumentException("invalid k-means options: " + string.Join("; ", problems));
    }
}
