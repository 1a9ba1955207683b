using System.Diagnostics;
using System.Net;
using System.Text;

namespace Avengers.Tests.Cli;

/// <summary>SIGTERM and Ctrl+C (SIGINT) let the requests in flight finish, fail readiness at once, and exit 0.</summary>
public class ServeDrainTests
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_stop_signal_drains_requests_in_flight_then_exits_0(string signal)
    {
        string dir = TestData.TempDir();
        string benchmark = Path.Combine(dir, "two.jsonl");
        File.WriteAllLines(benchmark, Enumerable.Range(0, 12).Select(i =>
            $$$"""{"id": "{{{i}}}", "dataset": "d", "query": "question number {{{i}}}", "outputs": {"alpha": [{"score": {{{i % 2}}}}], "beta": [{"score": 1}]}}"""));
        string router = Path.Combine(dir, "router.avengers");
        var (calibrated, _, calibrateError) = CliProcess.Run(null, "calibrate", "--benchmark", benchmark, "-k", "2", "-o", router, "--cache", "none");
        Assert.True(calibrated == 0, calibrateError);

        // Every backend call takes 4 s: the requests are in flight when the signal comes.
        await using var backend = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(4000); await ScriptedBackend.Answer(c, "The answer is (B)."); });
        int port = FreePort();
        string config = Path.Combine(dir, "avengers.yaml");
        File.WriteAllText(config, $"listen: http://127.0.0.1:{port}\nrouter: {router}\nembedding: minilm\nembedding_cache: none\nrequest_timeout_seconds: 30\n" +
            $"strategy:\n  default: direct\nbackends:\n  - name: alpha\n    base_url: {backend.BaseUrl}\n  - name: beta\n    base_url: {backend.BaseUrl}\n");

        using Process gateway = Process.Start(CliProcess.StartInfo(null, ["serve", "--config", config]))!;
        var errors = new StringBuilder();
        var listening = new TaskCompletionSource();
        gateway.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); if (e.Data?.Contains("listening") == true) listening.TrySetResult(); };
        gateway.OutputDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        gateway.BeginErrorReadLine();
        gateway.BeginOutputReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            string url = $"http://127.0.0.1:{port}";
            Task<HttpResponseMessage>[] requests = Enumerable.Range(0, 4).Select(i => http.PostAsync(url + "/v1/chat/completions", new StringContent(
                $$"""{"model": "avengers", "messages": [{"role": "user", "content": "question number {{i}}"}]}""", Encoding.UTF8, "application/json"))).ToArray();
            await backend.WhenCalls(requests.Length, TimeSpan.FromSeconds(20));
            Assert.Equal(requests.Length, backend.Calls);

            using (Process kill = Process.Start("kill", [$"-{signal}", gateway.Id.ToString()])!) await kill.WaitForExitAsync();
            var stopping = Stopwatch.StartNew();

            // Readiness fails at once (503, or the listener is already closed) so that load balancers stop sending.
            await Task.Delay(300);
            HttpStatusCode? ready = null;
            try { ready = (await new HttpClient { Timeout = TimeSpan.FromSeconds(2) }.GetAsync(url + "/health/ready")).StatusCode; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            Assert.NotEqual(HttpStatusCode.OK, ready);

            // Every request in flight gets its answer.
            foreach (Task<HttpResponseMessage> request in requests)
            {
                HttpResponseMessage response = await request;
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                Assert.Contains("(B)", await response.Content.ReadAsStringAsync());
            }
            Assert.True(await Task.Run(() => gateway.WaitForExit(30_000)), "the gateway did not exit after draining");
            gateway.WaitForExit();
            string log; lock (errors) log = errors.ToString();
            Assert.True(gateway.ExitCode == 0, $"exit {gateway.ExitCode}: {log}");
            Assert.True(log.Contains("draining 4 request(s) in flight"), log);
            Assert.Contains("stopped", log);
            Assert.DoesNotContain("   at ", log);
        }
        finally
        {
            if (!gateway.HasExited) gateway.Kill(entireProcessTree: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
