namespace Avengers.Embedding;

/// <summary>How token vectors become one sentence vector.</summary>
public enum PoolingMode
{
    /// <summary>Mean over the tokens the attention mask keeps (all-MiniLM-L6-v2).</summary>
    Mean,
    /// <summary>The first ([CLS]) token's vector (snowflake-arctic-embed-xs).</summary>
    Cls,
}
