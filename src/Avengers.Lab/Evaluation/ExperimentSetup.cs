using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>What the experiment was run on and with.</summary>
public sealed record ExperimentSetup(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("data_sha256")] string DataSha256,
    [property: JsonPropertyName("embedding")] string Embedding,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("train_items")] int TrainItems,
    [property: JsonPropertyName("test_items")] int TestItems,
    [property: JsonPropertyName("removed_train_duplicates")] int RemovedTrainDuplicates,
    [property: JsonPropertyName("ungradable_test_items")] int UngradableTestItems,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("restarts")] int Restarts,
    [property: JsonPropertyName("prior_strength")] double PriorStrength,
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("top_n")] int TopN,
    [property: JsonPropertyName("top_k")] int TopK,
    [property: JsonPropertyName("beta")] double Beta,
    [property: JsonPropertyName("pool")] IReadOnlyList<string> Pool,
    [property: JsonPropertyName("selected")] IReadOnlyList<string> Selected,
    [property: JsonPropertyName("grading")] string Grading = "strict",
    [property: JsonPropertyName("partitions")] int Partitions = 1,
    [property: JsonPropertyName("method")] string Method = "kmeans");
