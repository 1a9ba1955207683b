using System.Numerics.Tensors;

namespace Avengers.Embedding;

internal static class VectorMath
{
    /// <summary>Scales to unit length; a zero vector stays zero (it then matches nothing).</summary>
    public static void NormalizeInPlace(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && float.IsFinite(norm)) TensorPrimitives.Divide(vector, norm, vector);
    }
}
