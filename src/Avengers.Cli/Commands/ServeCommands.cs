using System.CommandLine;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Avengers.Testbed.Replay;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers serve</c>, <c>avengers replay-server</c> and <c>avengers config validate</c>.</summary>
internal static class ServeCommands
{
    public static Command Serve()
    {
        var config = new Option<string>("--config", "-c") { Description = "Gateway configuration (YAML)", Required = true };
        var command = new Command("serve", "Run the OpenAI-compatible gateway that routes by cluster and answers by vote") { config };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            GatewayConfig loaded = GatewayConfigLoader.Load(parse.GetValue(config)!);
            // Build validates the configuration once (every problem listed) and reads the router artifact once.
            // The embedding stack is built before the rest is validated: its own settings are checked first.
            string[] batchProblems = [.. GatewayConfigLoader.ValidateBackends(loaded).Where(p => p.StartsWith("embedding_batch", StringComparison.Ordinal))];
            if (batchProblems.Length > 0) throw new GatewayConfigException(batchProblems);
            using EmbeddingStack embedding = await CliRunner.EmbeddingAsync(loaded.Embedding, loaded.EmbeddingCache, cancellationToken, loaded.EmbeddingBatch, loaded.EmbeddingMemoryMegabytes * (1L << 20));
            WebApplication app = GatewayHost.Build(loaded, embedding);
            // Announce only once the port is bound (a port in use is one error line, not a stack trace after "listening").
            await app.StartAsync(cancellationToken);
            CliRunner.Info($"avengers gateway listening on {loaded.Listen} ({loaded.Backends.Count} backends)");
            // SIGTERM / Ctrl+C: the host stops accepting, drains what is in flight (drain_seconds), then this returns.
            await app.WaitForShutdownAsync(cancellationToken);
            CliRunner.Info("avengers gateway stopped");
            return 0;
        }));
        return command;
    }

    public static Command Replay()
    {
        var benchmark = CliOptions.Benchmark();
        var port = new Option<int>("--port", "-p") { Description = "Port on 127.0.0.1", DefaultValueFactory = _ => 8001 };
        var host = new Option<string>("--host") { Description = "Address to bind", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("replay-server", "Serve the recorded outputs of a benchmark file as OpenAI-compatible models (one per recorded model)")
        {
            benchmark, port, host,
        };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            string file = await BenchmarkCatalog.ResolveAsync(parse.GetValue(benchmark)!, false, CliRunner.Info, cancellationToken);
            Benchmark data = BenchmarkReader.Read(file);
            string url = $"http://{parse.GetValue(host)}:{parse.GetValue(port)}";
            if (data.Records.Count == 0) throw new ArgumentException($"{file} has no records to replay");
            WebApplication app = ReplayServer.Build(data, url);
            await app.StartAsync(cancellationToken);
            CliRunner.Info($"replaying {data.Records.Count} queries of {data.Models.Count} models on {url}/v1");
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }));
        return command;
    }

    public static Command Config()
    {
        var file = new Argument<string?>("file") { Description = "Gateway configuration (YAML); or --config", Arity = ArgumentArity.ZeroOrOne };
        var config = new Option<string?>("--config", "-c") { Description = "Gateway configuration (YAML)" };
        var validate = new Command("validate", "Check a gateway configuration and report every problem with its path in the file") { file, config };
        validate.SetAction((parse, _) => CliRunner.RunAsync(() =>
        {
            string path = parse.GetValue(config) ?? parse.GetValue(file) ?? throw new ArgumentException("give the configuration file: avengers config validate --config avengers.yaml");
            GatewayConfig loaded;
            try { loaded = GatewayConfigLoader.Load(path); }
            catch (GatewayConfigException ex)
            {
                // Every error line alike: the file first (a YAML error adds its line and column).
                foreach (string problem in ex.Problems) Console.Error.WriteLine(problem.StartsWith(path, StringComparison.Ordinal) ? problem : $"{path}: {problem}");
                return Task.FromResult(1);
            }
            IReadOnlyList<string> problems = GatewayConfigLoader.Validate(loaded);
            if (problems.Count == 0)
            {
                Console.WriteLine($"{path}: valid ({loaded.Backends.Count} backends)");
                return Task.FromResult(0);
            }
            foreach (string problem in problems) Console.Error.WriteLine($"{path}: {problem}");
            return Task.FromResult(1);
        }));
        return new Command("config", "Gateway configuration tools") { validate };
    }
}
