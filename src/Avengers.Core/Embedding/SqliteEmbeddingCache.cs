using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Avengers.Embedding;

/// <summary>
/// A persistent embedding store keyed by (model id, SHA-256 of the text). Safe to share between
/// processes (SQLite WAL); vectors are stored as little-endian float32 blobs.
/// </summary>
internal sealed class SqliteEmbeddingCache : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    /// <summary>Opens (or creates) the cache file.</summary>
    public SqliteEmbeddingCache(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute("CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, text_hash BLOB NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, text_hash)) WITHOUT ROWID;");
    }

    /// <summary>The cache key of a text: SHA-256 of its UTF-8 bytes.</summary>
    public static byte[] HashText(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    /// <summary>The cached vectors of the given texts, in their order (null where missing or of another dimension).</summary>
    public float[]?[] TryGetMany(string modelId, IReadOnlyList<string> texts, int dimension)
    {
        var found = new float[]?[texts.Count];
        lock (_lock)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            using SqliteCommand command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT dim, vector FROM embeddings WHERE model = $m AND text_hash = $h";
            SqliteParameter model = command.Parameters.Add("$m", SqliteType.Text);
            SqliteParameter hash = command.Parameters.Add("$h", SqliteType.Blob);
            model.Value = modelId;
            for (int i = 0; i < texts.Count; i++)
            {
                hash.Value = HashText(texts[i]);
                using SqliteDataReader reader = command.ExecuteReader();
                if (!reader.Read() || reader.GetInt32(0) != dimension) continue;
                byte[] blob = (byte[])reader[1];
                found[i] = MemoryMarshal.Cast<byte, float>(blob).ToArray();
            }
            transaction.Commit();
        }
        return found;
    }

    /// <summary>How many of the texts have no cached vector of this model and dimension (keys only; no vector is read).</summary>
    public int CountMissing(string modelId, IReadOnlyList<string> texts, int dimension)
    {
        int missing = 0;
        lock (_lock)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            using SqliteCommand command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT 1 FROM embeddings WHERE model = $m AND text_hash = $h AND dim = $d";
            command.Parameters.AddWithValue("$m", modelId);
            command.Parameters.AddWithValue("$d", dimension);
            SqliteParameter hash = command.Parameters.Add("$h", SqliteType.Blob);
            foreach (string text in texts)
            {
                hash.Value = HashText(text);
                if (command.ExecuteScalar() is null) missing++;
            }
            transaction.Commit();
        }
        return missing;
    }

    /// <summary>Stores vectors for texts of a model (existing entries are replaced).</summary>
    public void PutMany(string modelId, IReadOnlyList<string> texts, IReadOnlyList<float[]> vectors)
    {
        lock (_lock)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            using SqliteCommand command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR REPLACE INTO embeddings (model, text_hash, dim, vector) VALUES ($m, $h, $d, $v)";
            SqliteParameter model = command.Parameters.Add("$m", SqliteType.Text);
            SqliteParameter hash = command.Parameters.Add("$h", SqliteType.Blob);
            SqliteParameter dim = command.Parameters.Add("$d", SqliteType.Integer);
            SqliteParameter vector = command.Parameters.Add("$v", SqliteType.Blob);
            model.Value = modelId;
            for (int i = 0; i < texts.Count; i++)
            {
                hash.Value = HashText(texts[i]);
                dim.Value = vectors[i].Length;
                vector.Value = MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray();
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}
