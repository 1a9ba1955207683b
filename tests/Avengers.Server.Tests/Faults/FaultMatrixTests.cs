using Avengers.Testbed.Faults;

namespace Avengers.Tests.Server;

/// <summary>The bounded CI subset of the fault-injection matrix (the full one: <c>avengers faults</c>).</summary>
/// <summary>
/// Suites that run alone, not beside the rest of the (parallel) test run: the timing-sensitive ones on a 2-core machine,
/// and those that read /metrics (OpenTelemetry's SDK treats same-named meters of the process as one: a gateway disposed
/// by a parallel test stops the others' instruments, open-telemetry/opentelemetry-dotnet#6412).
/// </summary>
[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;

[Collection(nameof(TimingSensitive))]
public sealed class FaultMatrixTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    [Fact]
    public async Task Every_fault_under_every_strategy_ends_answered_or_with_a_clean_error()
    {
        IReadOnlyList<FaultCell> cells = await FaultMatrix.RunAsync(fixture.Embedding, new FaultMatrixOptions
        {
            // The deadline's own precision is GatewayConfigAndDeadlineTests' subject; here a loaded machine gets more slack.
            RequestsPerCell = 1,
            BackendTimeoutSeconds = 0.5,
            RequestTimeoutSeconds = 2,
            DeadlineGraceSeconds = 5,
        });
        string table = FaultMatrix.ToMarkdown(cells);
        Assert.Equal(FaultBackend.Faults.Count * 3 * 2 * 2, cells.Count);
        Assert.True(cells.All(c => c.Bad == 0), table);
        // With a healthy backend behind it, a fault before the first token is answered, not just survived. (A hang is
        // left out here: it spends two attempts of the backend timeout, which under a loaded test run can meet this
        // subset's short 2 s deadline; it then ends as a clean 504, and the full matrix shows it answered.)
        foreach (string fault in new[] { "http500", "badjson", "html", "key401", "close" })
            Assert.All(cells.Where(c => c.Pool == "pool" && c.Fault == fault), c => Assert.True(c.Answered == 1, $"{fault} {c.Strategy} stream={c.Stream}: {table}"));
    }
}
