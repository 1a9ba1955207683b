using Avengers.Data.Import;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests.Data;

/// <summary>
/// Exercises the real download path over loopback: a local server stands in for raw.githubusercontent.com,
/// serving the shared files at their upstream paths (tests never reach the internet).
/// </summary>
public class BenchmarkDownloaderTests
{
    [Fact]
    public void Pinned_commits_are_the_ones_the_shared_copies_were_taken_from()
    {
        Assert.StartsWith(BenchmarkSources.LlmRouterCommit + " ", File.ReadAllText(Path.Combine(TestData.RequireShared("llmrouter"), "SOURCE_COMMIT")));
        Assert.StartsWith(BenchmarkSources.MmluProCommit + " ", File.ReadAllText(Path.Combine(TestData.RequireShared("mmlu-pro"), "SOURCE_COMMIT")));
    }

    [Fact]
    public async Task Downloads_verifies_and_imports_llmrouter_and_skips_files_already_verified()
    {
        await using var mirror = await Mirror.StartAsync(_ => null);
        string target = TestData.TempDir();

        await BenchmarkDownloader.DownloadAsync(BenchmarkSources.LlmRouter, target, mirror.Client);

        foreach (SourceFile file in BenchmarkSources.FilesOf(BenchmarkSources.LlmRouter))
            Assert.Equal(File.ReadAllBytes(Path.Combine(TestData.RequireShared("llmrouter"), file.Name)), File.ReadAllBytes(Path.Combine(target, file.Name)));
        Assert.Equal(5, mirror.Requests.Count);
        Assert.All(mirror.Requests, path => Assert.StartsWith($"/ulab-uiuc/LLMRouter/{BenchmarkSources.LlmRouterCommit}/", path));

        ImportReport report = LlmRouterImporter.Import(target, Path.Combine(target, "llmrouter.jsonl"));
        Assert.Equal(5608 + 500, report.Records);

        await BenchmarkDownloader.DownloadAsync(BenchmarkSources.LlmRouter, target, mirror.Client);
        Assert.Equal(5, mirror.Requests.Count); // nothing fetched again
    }

    [Fact]
    public async Task A_file_that_does_not_match_its_checksum_is_refused_and_not_kept()
    {
        await using var mirror = await Mirror.StartAsync(name => name == "test.json" ? "tampered" : null);
        string target = TestData.TempDir();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => BenchmarkDownloader.DownloadAsync(BenchmarkSources.LlmRouter, target, mirror.Client));

        Assert.Contains("data/dcrouter_preprocessed/test.json", error.Message);
        Assert.Contains("does not match the pinned", error.Message);
        Assert.False(File.Exists(Path.Combine(target, "test.json")));
        Assert.Empty(Directory.GetFiles(target, "*.part"));
    }

    [Fact]
    public async Task A_missing_upstream_file_names_the_url_and_status()
    {
        await using var mirror = await Mirror.StartAsync(name => name == "train.json" ? "404" : null);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => BenchmarkDownloader.DownloadAsync(BenchmarkSources.LlmRouter, TestData.TempDir(), mirror.Client));
        Assert.Contains("https://raw.githubusercontent.com/ulab-uiuc/LLMRouter/", error.Message);
        Assert.Contains("404", error.Message);
    }

    [Fact]
    public async Task Unknown_sources_are_refused_with_the_known_names()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => BenchmarkDownloader.DownloadAsync("gsm8k", TestData.TempDir()));
        Assert.Contains("llmrouter", error.Message);
    }

    /// <summary>Serves the shared files at their upstream paths; <c>fault(name)</c> may return "404" or "tampered".</summary>
    private sealed class Mirror : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly List<string> _requests;
        private Mirror(WebApplication app, HttpClient client, List<string> requests) { _app = app; Client = client; _requests = requests; }

        public HttpClient Client { get; }
        public IReadOnlyList<string> Requests { get { lock (_requests) return [.. _requests]; } }

        public static async Task<Mirror> StartAsync(Func<string, string?> fault)
        {
            var requests = new List<string>();
            WebApplication app = await Loopback.StartAsync(app => app.MapGet("/{**path}", (HttpContext context) =>
            {
                string path = context.Request.Path.Value!;
                lock (requests) requests.Add(path);
                SourceFile? file = BenchmarkSources.Files.FirstOrDefault(f => new Uri(BenchmarkSources.RawUrl(f)).AbsolutePath == path);
                if (file is null) return Results.NotFound();
                switch (fault(file.Name))
                {
                    case "404": return Results.NotFound();
                    case "tampered": return Results.Text("[]");
                }
                return Results.File(Path.Combine(TestData.RequireShared(file.Source), file.Name), "application/octet-stream");
            }));
            var loopback = new Uri(app.Urls.First());
            var client = new HttpClient(new RedirectToLoopback(loopback) { InnerHandler = new HttpClientHandler() });
            return new Mirror(app, client, requests);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Sends requests for any host to the loopback mirror, keeping the path.</summary>
    private sealed class RedirectToLoopback(Uri loopback) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = loopback.Scheme, Host = loopback.Host, Port = loopback.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
