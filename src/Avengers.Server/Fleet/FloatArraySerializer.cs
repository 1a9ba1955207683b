using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Caching.Hybrid;

namespace Avengers.Server.Fleet;

/// <summary>A vector as its raw little-endian floats in Redis: 1,536 bytes for MiniLM, no JSON.</summary>
internal sealed class FloatArraySerializer : IHybridCacheSerializer<float[]>
{
    public float[] Deserialize(ReadOnlySequence<byte> source)
    {
        var bytes = source.IsSingleSegment ? source.FirstSpan : source.ToArray();
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    public void Serialize(float[] value, IBufferWriter<byte> target) => target.Write(MemoryMarshal.AsBytes(value.AsSpan()));
}
