using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Avengers.Routing;

/// <summary>
/// Finds a query's nearest centroids without reading every fp32 centroid: an 8-bit copy of the centroids gives, in one
/// pass, a bound on every similarity, and only the centroids whose bound reaches the top k of their partition are
/// compared exactly. The result is the exact computation's: the same clusters and the same similarities, bit for bit
/// (the rescoring is the same dot product over the same fp32 rows), because the bound is a proven one, not an estimate.
/// </summary>
/// <remarks>
/// Why: five partitions of 64 centroids of 384 dimensions are 491 KB of fp32 per decision, and reading them was most
/// of a routing decision's cost. The 8-bit copy is a quarter of that, and the integer dot product runs four
/// dimensions of eight centroids per instruction (AVX-VNNI). On a processor without AVX-VNNI the router keeps the
/// exact pass over all centroids.
///
/// The bound: with c = s_c ĉ + e_c and q = s_q q̂ + e_q (per-vector scales s, rounding residuals |e| ≤ s / 2),
/// q·c = s_q s_c q̂·ĉ + s_c e_q·ĉ + q·e_c, so |q·c - s_q s_c q̂·ĉ| ≤ ‖e_q‖₂ ‖s_c ĉ‖₂ + min((s_c / 2) ‖q‖₁, ‖q‖₂ ‖e_c‖₂),
/// plus a margin for the fp32 rounding of the exact dot product. Both residuals are known: e_c when the screen is
/// built, e_q when the query is coded.
/// </remarks>
internal sealed class CentroidScreen
{
    private const int Lanes = 8;          // centroids per 256-bit vector of int32 sums
    private const int GroupWidth = 4;     // dimensions per VNNI group (4 bytes -> one int32)

    // [partition][group of 4 dimensions][block of 8 centroids][8 centroids x 4 codes]: one group of every block of a
    // partition is contiguous, so one broadcast of the query's group feeds eight instructions.
    private readonly sbyte[] _codes;
    // Per centroid, padded to whole blocks in every partition (a padding slot never becomes a candidate):
    private readonly float[] _scales;         // s_c
    private readonly float[] _halfScales;     // s_c / 2
    private readonly float[] _dequantizedL2;  // ‖s_c ĉ‖₂
    private readonly float[] _residualL2;     // ‖e_c‖₂
    private readonly int[] _offsets;          // 128 Σ ĉ: the query's codes are offset by 128 (unsigned)
    private readonly float[] _padding;        // 0 for a centroid, negative infinity for a padding slot
    private readonly float[] _centroids;
    private readonly int _dimension, _k, _partitions, _blocks, _groups, _padded;

    /// <summary>Whether this processor runs the 8-bit screen (AVX-VNNI).</summary>
    public static bool IsSupported => AvxVnni.IsSupported;

    /// <summary>False when a centroid is not finite: the screen cannot bound it.</summary>
    public bool Usable { get; } = true;

    /// <param name="unitCentroids">The fp32 centroids, row after row (k x partitions rows); read, not copied.</param>
    public CentroidScreen(float[] unitCentroids, int dimension, int k, int partitions)
    {
        _centroids = unitCentroids;
        _dimension = dimension;
        _k = k;
        _partitions = partitions;
        _blocks = (k + Lanes - 1) / Lanes;
        _padded = _blocks * Lanes;
        _groups = (dimension + GroupWidth - 1) / GroupWidth;
        _codes = new sbyte[partitions * _groups * _padded * GroupWidth];
        int slots = partitions * _padded;
        _scales = new float[slots];
        _halfScales = new float[slots];
        _dequantizedL2 = new float[slots];
        _residualL2 = new float[slots];
        _offsets = new int[slots];
        _padding = new float[slots];
        _padding.AsSpan().Fill(float.NegativeInfinity);
        for (int p = 0; p < partitions; p++)
        {
            for (int j = 0; j < k; j++)
            {
                ReadOnlySpan<float> row = unitCentroids.AsSpan((p * k + j) * dimension, dimension);
                float maxAbs = Math.Abs(TensorPrimitives.MaxMagnitude(row)); // MaxMagnitude keeps the sign
                if (!float.IsFinite(maxAbs)) Usable = false; // a damaged centroid: leave every decision to the exact pass
                float scale = maxAbs > 0 && float.IsFinite(maxAbs) ? maxAbs / 127f : 0f;
                double l2 = 0, residualSquares = 0;
                int sum = 0;
                for (int d = 0; d < dimension; d++)
                {
                    int code = scale == 0 ? 0 : Math.Clamp((int)MathF.Round(row[d] / scale), -127, 127);
                    _codes[CodeIndex(p, j, d)] = (sbyte)code;
                    sum += code;
                    double dequantized = (double)code * scale;
                    l2 += dequantized * dequantized;
                    residualSquares += (row[d] - dequantized) * (row[d] - dequantized);
                }
                int slot = p * _padded + j;
                _scales[slot] = scale;
                _halfScales[slot] = scale / 2;
                _offsets[slot] = 128 * sum;
                _dequantizedL2[slot] = (float)Math.Sqrt(l2);
                _residualL2[slot] = (float)Math.Sqrt(residualSquares);
                _padding[slot] = 0;
            }
        }
    }

    private int CodeIndex(int partition, int centroid, int dimension) =>
        ((partition * _groups + dimension / GroupWidth) * _padded + centroid) * GroupWidth + dimension % GroupWidth;

    /// <summary>
    /// The <paramref name="topK"/> nearest centroids of every partition (at most K), best first, ties to the lower index:
    /// partition p's are at [p * n, (p + 1) * n) of <paramref name="clusters"/> (global cluster indices) and
    /// <paramref name="similarities"/> (their exact similarities), n = min(topK, K). Returns false, writing nothing, for
    /// a query the screen cannot bound (zero, or not finite): the caller then compares exactly.
    /// </summary>
    public bool Nearest(ReadOnlySpan<float> query, int topK, Span<int> clusters, Span<float> similarities) => Nearest(query, topK, clusters, similarities, out _);

    /// <param name="compared">How many centroids were compared in fp32 (of K x partitions).</param>
    internal bool Nearest(ReadOnlySpan<float> query, int topK, Span<int> clusters, Span<float> similarities, out int compared)
    {
        compared = 0;
        float maxAbs = Math.Abs(TensorPrimitives.MaxMagnitude(query));
        float queryL1 = TensorPrimitives.SumOfMagnitudes(query);
        if (!Usable || !(maxAbs > 0) || !float.IsFinite(maxAbs) || !float.IsFinite(queryL1)) return false;
        float queryL2 = TensorPrimitives.Norm(query);
        float queryScale = maxAbs / 127f;

        Span<int> quads = stackalloc int[_groups];
        float queryResidual = Code(query, queryScale, MemoryMarshal.AsBytes(quads));
        // The fp32 rounding of the exact dot product (at most dimension x unit roundoff x ‖q‖₂ for a unit centroid),
        // taken twice (the candidate's and the rival's), and of the bounds' own fp32 arithmetic.
        float margin = (float)((2.0 * _dimension * 6e-8 + 1e-5) * queryL2 + 1e-6);

        Span<int> sums = stackalloc int[_padded];
        Span<float> lower = stackalloc float[_padded];
        Span<float> upper = stackalloc float[_padded];
        int wanted = Math.Min(topK, _k);
        Span<int> top = stackalloc int[wanted];
        Span<int> candidates = stackalloc int[_padded];
        for (int p = 0; p < _partitions; p++)
        {
            PartitionSums(quads, p, sums);
            Bounds(p, sums, queryScale, queryResidual, queryL1, queryL2, margin, lower, upper);
            // A centroid whose upper bound is below the k-th best lower bound cannot be among the k nearest.
            float threshold;
            if (wanted == 1) threshold = TensorPrimitives.Max(lower[.._k]);
            else
            {
                int found = Clustering.TopK.Indices(lower, 0, _k, top);
                threshold = lower[top[found - 1]];
            }
            int count = 0;
            var bar = Vector256.Create(threshold);
            for (int b = 0; b < _blocks; b++)
            {
                uint mask = Vector256.GreaterThanOrEqual(Vector256.Create<float>(upper.Slice(b * Lanes, Lanes)), bar).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    candidates[count++] = b * Lanes + System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
            compared += Refine(query, p, candidates[..count], upper, clusters.Slice(p * wanted, wanted), similarities.Slice(p * wanted, wanted));
        }
        return true;
    }

    /// <summary>
    /// Compares the candidates exactly, highest upper bound first, keeping the k best (ties to the lower index), and stops
    /// at the first whose upper bound is below the k-th best exact similarity found so far: it, and every candidate after
    /// it, cannot enter the top k.
    /// </summary>
    /// <returns>How many were compared.</returns>
    private int Refine(ReadOnlySpan<float> query, int p, Span<int> candidates, ReadOnlySpan<float> upper, Span<int> bestClusters, Span<float> best)
    {
        int compared = 0;
        for (int i = 1; i < candidates.Length; i++)
        {
            int candidate = candidates[i], at = i;
            while (at > 0 && upper[candidates[at - 1]] < upper[candidate]) { candidates[at] = candidates[at - 1]; at--; }
            candidates[at] = candidate;
        }
        best.Fill(float.NegativeInfinity);
        bestClusters.Fill(int.MaxValue);
        foreach (int j in candidates)
        {
            if (upper[j] < best[^1]) break;
            int cluster = p * _k + j;
            float exact = TensorPrimitives.Dot(query, _centroids.AsSpan(cluster * _dimension, _dimension));
            compared++;
            int at = best.Length - 1;
            if (!Better(exact, cluster, best[at], bestClusters[at])) continue;
            while (at > 0 && Better(exact, cluster, best[at - 1], bestClusters[at - 1]))
            {
                (best[at], bestClusters[at]) = (best[at - 1], bestClusters[at - 1]);
                at--;
            }
            (best[at], bestClusters[at]) = (exact, cluster);
        }
        return compared;

        static bool Better(float similarity, int cluster, float than, int thanCluster) => similarity > than || (similarity == than && cluster < thanCluster);
    }

    /// <summary>Writes the query's unsigned codes (q̂ + 128; 128 past the dimension) and returns ‖e_q‖₂.</summary>
    private static float Code(ReadOnlySpan<float> query, float scale, Span<byte> codes)
    {
        codes.Fill(128);
        float inverse = 1f / scale;
        Vector256<float> squares = Vector256<float>.Zero;
        int d = 0;
        for (; d + 4 * Lanes <= query.Length; d += 4 * Lanes)
        {
            Vector256<int> c0 = CodeEight(query, d, inverse, scale, ref squares);
            Vector256<int> c1 = CodeEight(query, d + Lanes, inverse, scale, ref squares);
            Vector256<int> c2 = CodeEight(query, d + 2 * Lanes, inverse, scale, ref squares);
            Vector256<int> c3 = CodeEight(query, d + 3 * Lanes, inverse, scale, ref squares);
            Vector256<ushort> low = Vector256.Narrow(c0.AsUInt32(), c1.AsUInt32()), high = Vector256.Narrow(c2.AsUInt32(), c3.AsUInt32());
            Vector256.Narrow(low, high).CopyTo(codes[d..]);
        }
        float residualSquares = Vector256.Sum(squares);
        for (; d < query.Length; d++)
        {
            float code = MathF.Round(query[d] * inverse);
            codes[d] = (byte)((int)code + 128);
            float residual = query[d] - code * scale;
            residualSquares += residual * residual;
        }
        return MathF.Sqrt(residualSquares);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> CodeEight(ReadOnlySpan<float> query, int at, float inverse, float scale, ref Vector256<float> squares)
    {
        Vector256<float> values = Vector256.Create(query.Slice(at, Lanes));
        Vector256<float> codes = Vector256.Round(values * inverse);
        Vector256<float> residual = values - codes * scale;
        squares += residual * residual;
        return Vector256.ConvertToInt32(codes) + Vector256.Create(128);
    }

    /// <summary>Σ (q̂ + 128) ĉ for every centroid slot of one partition: one VNNI instruction per 4 dimensions of 8 centroids.</summary>
    private void PartitionSums(ReadOnlySpan<int> quads, int partition, Span<int> sums)
    {
        ref sbyte codes = ref _codes[partition * _groups * _padded * GroupWidth];
        ref int query = ref MemoryMarshal.GetReference(quads);
        int stride = _padded * GroupWidth; // bytes from one group to the next
        int b = 0;
        for (; b + 8 <= _blocks; b += 8)
        {
            // Eight blocks (64 centroids) at once: eight independent accumulators share each broadcast of the query.
            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            ref sbyte at = ref Unsafe.Add(ref codes, b * Lanes * GroupWidth);
            for (int g = 0; g < _groups; g++)
            {
                Vector256<byte> q = Vector256.Create(Unsafe.Add(ref query, g)).AsByte();
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, q, Vector256.LoadUnsafe(ref at));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, q, Vector256.LoadUnsafe(ref at, 32));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, q, Vector256.LoadUnsafe(ref at, 64));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, q, Vector256.LoadUnsafe(ref at, 96));
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, q, Vector256.LoadUnsafe(ref at, 128));
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, q, Vector256.LoadUnsafe(ref at, 160));
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, q, Vector256.LoadUnsafe(ref at, 192));
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, q, Vector256.LoadUnsafe(ref at, 224));
                at = ref Unsafe.Add(ref at, stride);
            }
            Span<int> out8 = sums.Slice(b * Lanes, 8 * Lanes);
            a0.CopyTo(out8);
            a1.CopyTo(out8[8..]);
            a2.CopyTo(out8[16..]);
            a3.CopyTo(out8[24..]);
            a4.CopyTo(out8[32..]);
            a5.CopyTo(out8[40..]);
            a6.CopyTo(out8[48..]);
            a7.CopyTo(out8[56..]);
        }
        for (; b < _blocks; b++)
        {
            Vector256<int> a0 = Vector256<int>.Zero, a1 = a0;
            ref sbyte at = ref Unsafe.Add(ref codes, b * Lanes * GroupWidth);
            int g = 0;
            for (; g + 2 <= _groups; g += 2)
            {
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(Unsafe.Add(ref query, g)).AsByte(), Vector256.LoadUnsafe(ref at));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Create(Unsafe.Add(ref query, g + 1)).AsByte(), Vector256.LoadUnsafe(ref at, (nuint)stride));
                at = ref Unsafe.Add(ref at, 2 * stride);
            }
            if (g < _groups) a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(Unsafe.Add(ref query, g)).AsByte(), Vector256.LoadUnsafe(ref at));
            (a0 + a1).CopyTo(sums.Slice(b * Lanes, Lanes));
        }
    }

    /// <summary>Lower and upper bounds of every slot's similarity, eight at a time.</summary>
    private void Bounds(int partition, ReadOnlySpan<int> sums, float queryScale, float queryResidual, float queryL1, float queryL2,
        float margin, Span<float> lower, Span<float> upper)
    {
        for (int b = 0; b < _blocks; b++)
        {
            int slot = partition * _padded + b * Lanes;
            Vector256<int> dot = Vector256.Create(sums.Slice(b * Lanes, Lanes)) - Vector256.Create(_offsets.AsSpan(slot, Lanes));
            Vector256<float> approximate = Vector256.ConvertToSingle(dot) * Vector256.Create(_scales.AsSpan(slot, Lanes)) * queryScale;
            Vector256<float> bound = Vector256.Create(_dequantizedL2.AsSpan(slot, Lanes)) * queryResidual
                + Vector256.Min(Vector256.Create(_halfScales.AsSpan(slot, Lanes)) * queryL1, Vector256.Create(_residualL2.AsSpan(slot, Lanes)) * queryL2)
                + Vector256.Create(margin);
            Vector256<float> padding = Vector256.Create(_padding.AsSpan(slot, Lanes));
            (approximate - bound + padding).CopyTo(lower.Slice(b * Lanes, Lanes));
            (approximate + bound + padding).CopyTo(upper.Slice(b * Lanes, Lanes));
        }
    }
}
