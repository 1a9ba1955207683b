using System.CommandLine;
using Avengers.Server.Configuration;
using Avengers.Server.Feedback;
using Avengers.Server.Fleet;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers feedback export --config gateway.yaml -o feedback.jsonl</c>: the ratings, as benchmark records for <c>calibrate --feedback</c>.</summary>
internal static class FeedbackCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "Gateway configuration (YAML): its Redis (fleet mode) or its feedback.log file", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "JSON Lines file to write (the benchmark format: each rated model's outcome as its score)", Required = true };
        var export = new Command("export", "Write the ratings the gateway applied as benchmark records, for 'calibrate --feedback'") { config, output };
        export.SetAction((parse, _) => CliRunner.RunAsync(async () =>
        {
            string path = parse.GetValue(config)!;
            GatewayConfig loaded = GatewayConfigLoader.Load(path);
            IReadOnlyList<string> lines;
            if (RedisFleet.Create(loaded, Environment.GetEnvironmentVariable) is RedisFleet fleet)
            {
                using (fleet)
                {
                    if (!SpinWait.SpinUntil(() => fleet.Connection.IsConnected, TimeSpan.FromSeconds(5))) throw new IOException("Redis could not be reached (check redis: in the configuration)");
                    lines = await RedisFeedbackLog.ReadAllAsync(fleet);
                }
            }
            else
            {
                string log = loaded.Feedback.Log is string configured ? GatewayConfigLoader.Resolve(loaded, configured)
                    : throw new ArgumentException($"{path} has neither redis: nor feedback.log: the gateway kept no log of ratings to export");
                lines = File.Exists(log) ? File.ReadAllLines(log).Where(l => l.Length > 0).ToList() : [];
            }
            string file = parse.GetValue(output)!;
            Avengers.IO.AtomicFile.WriteAllText(file, string.Concat(lines.Select(l => l + "\n")));
            Console.WriteLine($"wrote {lines.Count} rating(s) to {file}; fold them into the next router with: avengers calibrate -b BENCHMARK --feedback {file} -o router.avengers");
            return 0;
        }));
        return new Command("feedback", "The ratings users gave the gateway's answers") { export };
    }
}
