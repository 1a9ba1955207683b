using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using MathNet.Numerics.LinearAlgebra;

namespace Avengers.Embedding;

/// <summary>
/// A static embedder distilled here from a transformer embedding model, after the Model2Vec recipe: every vocabulary
/// token is run through the model once (as the one-token sentence "[CLS] token [SEP]", pooled as the model pools),
/// the token vectors are centred and reduced by PCA, and each row is weighted by smooth inverse frequency with
/// frequencies estimated from the vocabulary's order by Zipf's law (a WordPiece vocabulary lists frequent pieces
/// first). A question's embedding is then the mean of its tokens' rows: microseconds instead of a model run.
/// No download: it is built from the model already in the package, once, and kept in a file next to the embedding
/// cache; its id names the source model and the recipe, so a router calibrated with one embedder refuses the other.
/// </summary>
public sealed class StaticEmbeddingModel
{
    /// <summary>Bumped whenever the recipe changes: part of the id and the file name.</summary>
    public const int RecipeVersion = 1;
    /// <summary>Model2Vec's defaults: 256 principal components, SIF coefficient 1e-4.</summary>
    public const int DefaultDimension = 256;
    /// <summary>The smooth-inverse-frequency coefficient: rows of frequent tokens are damped most.</summary>
    public const double DefaultSif = 1e-4;
    private const int Magic = 0x41565354; // "AVST"

    private StaticEmbeddingModel(string id, OnnxEmbeddingModel source, int vocabulary, int dimension, float[] table)
    {
        Id = id;
        Source = source;
        VocabularySize = vocabulary;
        Dimension = dimension;
        Table = table;
    }

    /// <summary>Recorded in caches and router artifacts, e.g. "static-v1(sentence-transformers/all-MiniLM-L6-v2,pca256,sif1e-4)".</summary>
    public string Id { get; }
    /// <summary>The transformer model it was distilled from (its tokenizer is the static model's too).</summary>
    public OnnxEmbeddingModel Source { get; }
    /// <summary>Rows in the table: one per vocabulary token.</summary>
    public int VocabularySize { get; }
    /// <summary>Length of the vectors (the principal components kept).</summary>
    public int Dimension { get; }
    /// <summary>Row-major: row t is token id t's weighted vector (zero for special and unused tokens).</summary>
    internal float[] Table { get; }

    /// <summary>The id of the static model distilled from <paramref name="source"/> with these settings.</summary>
    public static string IdFor(OnnxEmbeddingModel source, int dimension = DefaultDimension, double sif = DefaultSif)
        => $"static-v{RecipeVersion}({source.Id},pca{dimension},sif{sif.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>The file the table is kept in, under <paramref name="folder"/>.</summary>
    public static string FileFor(string folder, OnnxEmbeddingModel source, int dimension = DefaultDimension)
        => Path.Combine(folder, $"static-v{RecipeVersion}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(IdFor(source, dimension))))[..12]}.bin");

    /// <summary>Loads the table from <paramref name="folder"/>, distilling it there first when it is not there yet.</summary>
    /// <param name="progress">Told what is happening when the table has to be built (it takes tens of seconds once).</param>
    public static StaticEmbeddingModel LoadOrDistill(OnnxEmbeddingModel source, string folder, int dimension = DefaultDimension, Action<string>? progress = null)
    {
        string file = FileFor(folder, source, dimension);
        if (File.Exists(file))
        {
            try { return Load(file, source, dimension); }
            catch (InvalidDataException ex) { progress?.Invoke($"{file}: {ex.Message}; distilling it again"); }
        }
        progress?.Invoke($"distilling the static embedder from {source.Id} (once; kept in {file})");
        StaticEmbeddingModel model = Distill(source, dimension, DefaultSif, progress);
        Directory.CreateDirectory(folder);
        IO.AtomicFile.Write(file, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(model.Id);
            writer.Write(model.VocabularySize);
            writer.Write(model.Dimension);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.Table.AsSpan()));
        });
        return model;
    }

    private static StaticEmbeddingModel Load(string file, OnnxEmbeddingModel source, int dimension)
    {
        using var reader = new BinaryReader(File.OpenRead(file));
        try
        {
            string expected = IdFor(source, dimension);
            if (reader.ReadInt32() != Magic) throw new InvalidDataException("not a static embedding table");
            string id = reader.ReadString();
            if (id != expected) throw new InvalidDataException($"holds {id}, not {expected}");
            int vocabulary = reader.ReadInt32(), dims = reader.ReadInt32();
            if (dims != dimension || vocabulary <= 0) throw new InvalidDataException("its shape does not match");
            var table = new float[checked(vocabulary * dims)];
            reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(table.AsSpan()));
            if (reader.BaseStream.Position != reader.BaseStream.Length) throw new InvalidDataException("it has trailing bytes");
            return new StaticEmbeddingModel(id, source, vocabulary, dims, table);
        }
        catch (EndOfStreamException) { throw new InvalidDataException("it is cut short"); }
    }

    /// <summary>Runs every vocabulary token through <paramref name="source"/>, then PCA and SIF weighting.</summary>
    public static StaticEmbeddingModel Distill(OnnxEmbeddingModel source, int dimension = DefaultDimension, double sif = DefaultSif, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (dimension < 1 || dimension > source.Dimension) throw new ArgumentException($"static dimension must lie in [1, {source.Dimension}] (got {dimension})");
        string[] vocabulary;
        using (TextReader reader = source.OpenVocabulary()) vocabulary = reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (vocabulary.Length > 0 && vocabulary[^1].Length == 0) vocabulary = vocabulary[..^1];
        int cls = Array.IndexOf(vocabulary, "[CLS]"), sep = Array.IndexOf(vocabulary, "[SEP]");
        if (cls < 0 || sep < 0) throw new InvalidDataException($"{source.Id}: its vocabulary has no [CLS] or [SEP]");
        // Special tokens and the unused placeholders never occur in text: no row, and no say in the PCA.
        var unused = new Regex(@"^\[(unused\d+|PAD|UNK|CLS|SEP|MASK)\]$");
        int[] kept = [.. Enumerable.Range(0, vocabulary.Length).Where(t => !unused.IsMatch(vocabulary[t]))];

        var watch = Stopwatch.StartNew();
        using var generator = new OnnxEmbeddingGenerator(source);
        var vectors = new float[kept.Length][];
        const int Batch = 512;
        for (int start = 0; start < kept.Length; start += Batch)
        {
            long[][] ids = [.. kept[start..Math.Min(kept.Length, start + Batch)].Select(t => new long[] { cls, t, sep })];
            float[][] embedded = generator.EmbedTokenIds(ids);
            embedded.CopyTo(vectors, start);
            if (progress is not null && (start / Batch) % 10 == 9)
                progress($"  {start + ids.Length:N0} of {kept.Length:N0} tokens, {watch.Elapsed.TotalSeconds:F0} s");
        }

        // PCA: centre, the covariance's eigenvectors, the top components.
        int d = source.Dimension;
        var mean = new float[d];
        foreach (float[] v in vectors) TensorPrimitives.Add(mean, v, mean);
        TensorPrimitives.Divide(mean, vectors.Length, mean);
        Matrix<double> centred = Matrix<double>.Build.Dense(vectors.Length, d, (i, j) => vectors[i][j] - mean[j]);
        Matrix<double> covariance = centred.TransposeThisAndMultiply(centred) / (vectors.Length - 1);
        var eigen = covariance.Evd(Symmetricity.Symmetric);
        // MathNet orders eigenvalues ascending: the last columns are the principal components.
        Matrix<double> components = eigen.EigenVectors.SubMatrix(0, d, d - dimension, dimension);
        Matrix<double> projected = centred * components;

        // SIF weights from Zipf's law over the vocabulary's order: p(rank) proportional to 1 / (rank + 2).
        double norm = Enumerable.Range(0, kept.Length).Sum(r => 1.0 / (r + 2));
        var table = new float[vocabulary.Length * dimension];
        for (int r = 0; r < kept.Length; r++)
        {
            double p = 1.0 / (r + 2) / norm, weight = sif / (sif + p);
            int row = kept[r] * dimension;
            for (int j = 0; j < dimension; j++) table[row + j] = (float)(projected[r, j] * weight);
        }
        progress?.Invoke($"  distilled {kept.Length:N0} tokens to {dimension} dimensions in {watch.Elapsed.TotalSeconds:F0} s");
        return new StaticEmbeddingModel(IdFor(source, dimension, sif), source, vocabulary.Length, dimension, table);
    }
}
