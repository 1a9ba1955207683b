namespace Avengers.Clustering;

/// <summary>Partial selection of the largest values: an insertion into a short sorted buffer, no allocation.</summary>
internal static class TopK
{
    /// <summary>
    /// Indices of the largest values in [first, first + length), best first; ties keep the lower index first.
    /// Fills at most top.Length entries and returns how many.
    /// </summary>
    public static int Indices(ReadOnlySpan<float> values, int first, int length, Span<int> top)
    {
        int found = 0;
        for (int k = first; k < first + length; k++)
        {
            float value = values[k];
            if (found == top.Length && !(value > values[top[found - 1]])) continue;
            int at = found < top.Length ? found++ : found - 1;
            while (at > 0 && value > values[top[at - 1]]) { top[at] = top[at - 1]; at--; }
            top[at] = k;
        }
        return found;
    }
}
