using Avengers.Data;
using Avengers.Evaluation;

namespace Avengers.Tests.Evaluation;

public class DatasetSplitTests
{
    private static BenchmarkRecord Record(string id, string dataset, string? split = null, string? query = null) => new()
    {
        Id = id,
        Dataset = dataset,
        Query = query ?? $"query {id}",
        Split = split,
        Outputs = new Dictionary<string, IReadOnlyList<Sample>> { ["m"] = [new Sample(Score: 1)] },
    };

    [Fact]
    public void Seeded_split_is_70_30_per_dataset_and_reproducible()
    {
        var records = Enumerable.Range(0, 100).Select(i => Record($"a{i:D3}", "a"))
            .Concat(Enumerable.Range(0, 10).Select(i => Record($"b{i:D3}", "b"))).ToList();
        DatasetSplit one = DatasetSplit.Create(records, seed: 42);
        DatasetSplit two = DatasetSplit.Create(records.AsEnumerable().Reverse().ToList(), seed: 42);
        Assert.Equal("seeded", one.Source);
        Assert.Equal(70, one.Train.Count(r => r.Dataset == "a"));
        Assert.Equal(7, one.Train.Count(r => r.Dataset == "b"));
        Assert.Equal(one.Train.Select(r => r.Id), two.Train.Select(r => r.Id)); // file order does not matter
        DatasetSplit other = DatasetSplit.Create(records, seed: 43);
        Assert.NotEqual(one.Train.Select(r => r.Id).Order(), other.Train.Select(r => r.Id).Order());
    }

    [Fact]
    public void File_split_is_kept_and_training_duplicates_of_test_queries_removed()
    {
        var records = new List<BenchmarkRecord>
        {
            Record("1", "a", "train", "same question"), Record("2", "a", "train"), Record("3", "a", "test", "same question"), Record("4", "a", "test"),
        };
        DatasetSplit split = DatasetSplit.Create(records, seed: 1);
        Assert.Equal("file", split.Source);
        Assert.Equal(["2"], split.Train.Select(r => r.Id));
        Assert.Equal(1, split.RemovedDuplicates);
        Assert.Equal(2, split.Test.Count);
    }

    [Fact]
    public void Partial_split_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetSplit.Create([Record("1", "a", "train"), Record("2", "a")], 1));
        Assert.Contains("1 of 2 records carry a split", error.Message);
    }
}
