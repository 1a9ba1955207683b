using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Avengers.Embedding;

/// <summary>
/// Rewrites an ONNX model's weight matrix products to 8-bit (dynamic quantization, as ONNX Runtime's Python quantizer
/// does it): each <c>MatMul</c> by a constant fp32 matrix becomes DynamicQuantizeLinear (the activations to uint8,
/// scale and zero point per run) -> MatMulInteger (uint8 x int8 -> int32) -> Cast -> Mul by the two scales. Weights
/// are quantized symmetrically per output column. Deterministic: the same model gives the same bytes.
/// </summary>
/// <remarks>
/// Why here and in C#: the quantizer that ships with ONNX Runtime is a Python tool these machines cannot install, and
/// the rewrite is small. The products between activations (attention) and everything else stay fp32.
/// </remarks>
internal static class Int8Quantizer
{
    /// <summary>The model with its weight matrix products in 8 bits; how many were rewritten.</summary>
    public static (byte[] Model, int Rewritten) Quantize(byte[] onnx)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(onnx);
        GraphProto graph = model.Graph;
        Dictionary<string, TensorProto> initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var nodes = new List<NodeProto>(graph.Node.Count);
        int rewritten = 0;
        foreach (NodeProto node in graph.Node)
        {
            if (node.OpType != "MatMul" || node.Input.Count != 2 || !initializers.TryGetValue(node.Input[1], out TensorProto? weight)
                || weight.Dims.Count != 2 || weight.DataType != (int)TensorProto.Types.DataType.Float)
            {
                nodes.Add(node);
                continue;
            }
            string prefix = $"avengers_int8_{rewritten++}_";
            (sbyte[] codes, float[] scales) = Codes(weight);
            graph.Initializer.Remove(weight);
            graph.Initializer.Add(Tensor(prefix + "w", TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(codes.AsSpan()), weight.Dims[0], weight.Dims[1]));
            graph.Initializer.Add(Tensor(prefix + "w_zero", TensorProto.Types.DataType.Int8, [0]));
            graph.Initializer.Add(Tensor(prefix + "w_scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()), scales.Length));
            nodes.Add(Node("DynamicQuantizeLinear", prefix, [node.Input[0]], [prefix + "a", prefix + "a_scale", prefix + "a_zero"]));
            nodes.Add(Node("MatMulInteger", prefix, [prefix + "a", prefix + "w", prefix + "a_zero", prefix + "w_zero"], [prefix + "product"]));
            NodeProto cast = Node("Cast", prefix, [prefix + "product"], [prefix + "product_float"]);
            cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
            nodes.Add(cast);
            nodes.Add(Node("Mul", prefix + "scale_", [prefix + "a_scale", prefix + "w_scale"], [prefix + "scale"]));
            nodes.Add(Node("Mul", prefix, [prefix + "product_float", prefix + "scale"], [node.Output[0]]));
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        return (model.ToByteArray(), rewritten);
    }

    /// <summary>Per output column: scale = max |w| / 127, code = round(w / scale).</summary>
    private static (sbyte[] Codes, float[] Scales) Codes(TensorProto weight)
    {
        int rows = (int)weight.Dims[0], columns = (int)weight.Dims[1];
        float[] values = weight.FloatData.Count > 0 ? [.. weight.FloatData] : MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray();
        var scales = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            float max = 0;
            for (int r = 0; r < rows; r++) max = Math.Max(max, Math.Abs(values[r * columns + c]));
            scales[c] = max > 0 ? max / 127f : 1f;
        }
        var codes = new sbyte[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                codes[r * columns + c] = (sbyte)Math.Clamp((int)MathF.Round(values[r * columns + c] / scales[c]), -127, 127);
        return (codes, scales);
    }

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> raw, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static NodeProto Node(string op, string prefix, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = prefix + op };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }
}
