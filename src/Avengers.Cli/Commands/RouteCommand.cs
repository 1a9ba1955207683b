using System.CommandLine;
using System.Text.Json;
using Avengers.Embedding;
using Avengers.Routing;
using Avengers.Voting;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers route "query" --router router.avengers</c></summary>
internal static class RouteCommand
{
    // One options object for every run (CA1869): snake_case as /v1/route writes it.
    private static readonly JsonSerializerOptions RouteJson = new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var query = new Argument<string>("query") { Description = "The user's question" };
        var router = new Option<string>("--router", "-r") { Description = "Router artifact written by calibrate", Required = true };
        var available = new Option<string?>("--available") { Description = "Comma-separated models that may be chosen (default: the artifact's selection)" };
        var topK = new Option<int?>("--top-k") { Description = "Clusters blended per partition (1: nearest cluster only; default: the artifact's)" };
        var beta = new Option<double?>("--beta") { Description = "Softmax sharpness over cluster similarities when top-k > 1 (default: the artifact's)" };
        var alpha = CliOptions.Alpha();
        var embedding = CliOptions.Embedding();
        var cache = CliOptions.Cache();
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON (the shape of the gateway's /v1/route) instead of the table" };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the decision as JSON to this file (the shape of the gateway's /v1/route)" };
        var command = new Command("route", "Show where a query goes: nearest cluster, similarity, and the ranked models with their accuracy there")
        {
            query, router, available, topK, beta, alpha, embedding, cache, json, output,
        };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            string text = parse.GetValue(query)!;
            if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("query: must not be empty");
            RouterArtifact artifact = RouterArtifact.Load(parse.GetValue(router)!);
            string spec = parse.GetValue(embedding) ?? EmbeddingFor(artifact.Manifest.Embedding.Model);
            using EmbeddingStack stack = await CliRunner.EmbeddingAsync(spec, parse.GetValue(cache) ?? "none", cancellationToken);
            if (stack.ModelId != artifact.Manifest.Embedding.Model || stack.Dimension != artifact.Manifest.Embedding.Dimension)
                throw new ArgumentException($"the router was calibrated with {artifact.Manifest.Embedding.Model} ({artifact.Manifest.Embedding.Dimension} dimensions); --embedding gives {stack.ModelId} ({stack.Dimension})");
            float[] vector = (await stack.Generator.GenerateAsync([text], cancellationToken: cancellationToken))[0].Vector.ToArray();

            var options = new RoutingOptions
            {
                TopK = parse.GetValue(topK) ?? artifact.Manifest.Defaults.TopK,
                Beta = parse.GetValue(beta) ?? artifact.Manifest.Defaults.Beta,
                Alpha = parse.GetValue(alpha) ?? artifact.Manifest.Defaults.Alpha,
                Available = CliOptions.SplitList(parse.GetValue(available))?.ToHashSet(StringComparer.Ordinal),
            };
            options.Validate();
            var clusterRouter = new ClusterRouter(artifact);
            RoutingDecision decision = clusterRouter.Route(vector, options); // the first call also compiles the code path
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            decision = clusterRouter.Route(vector, options);
            double micros = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds;

            // One shape everywhere: clusters named partition:cluster, as the table below and the gateway's /v1/route name them.
            RouterManifest manifest = artifact.Manifest;
            Avengers.Routing.QueryPlan? plan = manifest.Policy?.Plan(decision);
            string machine = JsonSerializer.Serialize(new
            {
                cluster = decision.Cluster,
                cluster_name = manifest.ClusterName(decision.Cluster),
                similarity = decision.Similarity,
                clusters = decision.Clusters.Select(c => new { cluster = c.Cluster, name = manifest.ClusterName(c.Cluster), similarity = c.Similarity, weight = c.Weight }),
                models = plan?.Models ?? decision.Models,
                strategy = plan?.Options.Strategy.ToWireName() ?? manifest.Defaults.Strategy,
                top_n = plan?.Options.TopN ?? manifest.Defaults.TopN,
                policy_note = plan?.Reason,
                artifact_sha256 = artifact.FileHash,
                routing_us = micros,
            }, RouteJson);
            if (parse.GetValue(output) is string file) Avengers.IO.AtomicFile.WriteAllText(file, machine + "\n");
            if (parse.GetValue(json))
            {
                Console.WriteLine(machine);
                return 0;
            }
            int k = artifact.Manifest.Clustering.K, partitions = artifact.Manifest.Clustering.Partitions;
            string Name(int cluster) => partitions == 1 ? cluster.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{cluster / k}:{cluster % k}";
            Console.WriteLine($"cluster {Name(decision.Cluster)} (cosine {decision.Similarity:F3}, {artifact.Scores.Sizes[decision.Cluster]} training items)");
            if (decision.Clusters.Count > 1)
                Console.WriteLine((partitions > 1 ? "clusters blended (partition:cluster): " : "clusters blended: ")
                    + string.Join(", ", decision.Clusters.Select(c => $"{Name(c.Cluster)} (cos {c.Similarity:F3}, w {c.Weight:F2})")));
            Console.WriteLine($"score: blended smoothed accuracy; acc, interval and n: cluster {Name(decision.Cluster)}");
            Console.WriteLine($"{"rank",4}  {"model",-36} {"score",6} {"acc",6} {"95% interval",14} {"n",5}");
            int rank = 1;
            foreach (RankedModel model in decision.Models)
            {
                string accuracy = double.IsNaN(model.Accuracy) ? "   -  " : $"{model.Accuracy,6:F3}";
                Console.WriteLine($"{rank++,4}  {model.Model,-36} {model.Score,6:F3} {accuracy} [{model.Lower:F2}, {model.Upper:F2}] {model.Answered,5}");
            }
            Console.WriteLine($"routing took {micros:F1} us (embedding excluded); strategy default: {artifact.Manifest.Defaults.Strategy}, top_n {artifact.Manifest.Defaults.TopN}");
            return 0;
        }));
        return command;
    }

    /// <summary>The embedding spec that reproduces an artifact's embedding model, when it is built in.</summary>
    private static string EmbeddingFor(string modelId)
        => OnnxEmbeddingModel.BuiltIn.FirstOrDefault(p => p.Value.Id == modelId).Key
           ?? throw new ArgumentException($"the router was calibrated with '{modelId}', which is not built in: pass --embedding");
}
