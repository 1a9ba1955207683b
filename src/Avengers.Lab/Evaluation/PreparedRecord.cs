using Avengers.Data;

namespace Avengers.Evaluation;

/// <summary>A record with every sample's normalised answer and grade worked out once.</summary>
public sealed class PreparedRecord
{
    private PreparedRecord(BenchmarkRecord record, string? gold, Dictionary<string, string?[]> answers, Dictionary<string, double?[]> grades)
    {
        Record = record;
        Gold = gold;
        Answers = answers;
        Grades = grades;
    }

    public BenchmarkRecord Record { get; }
    public string? Gold { get; }
    public IReadOnlyDictionary<string, string?[]> Answers { get; }
    public IReadOnlyDictionary<string, double?[]> Grades { get; }

    /// <summary>Mean grade of the model's gradable samples; NaN when it has none (absent model).</summary>
    public double Correctness(string model)
    {
        if (!Grades.TryGetValue(model, out double?[]? grades)) return double.NaN;
        double sum = 0; int count = 0;
        foreach (double? grade in grades) if (grade is double g) { sum += g; count++; }
        return count == 0 ? double.NaN : sum / count;
    }

    public static PreparedRecord Prepare(BenchmarkRecord record, IReadOnlyCollection<string> models, GradingProtocol protocol = GradingProtocol.Strict)
    {
        string? gold = Grader.GoldOf(record);
        var answers = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        var grades = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        foreach (string model in models)
        {
            if (!record.Outputs.TryGetValue(model, out IReadOnlyList<Sample>? samples) || samples.Count == 0) continue;
            var a = new string?[samples.Count];
            var g = new double?[samples.Count];
            for (int s = 0; s < samples.Count; s++)
            {
                a[s] = Grader.AnswerOf(record, samples[s]);
                g[s] = Grader.Grade(record, samples[s], a[s], gold, protocol);
            }
            answers[model] = a;
            grades[model] = g;
        }
        return new PreparedRecord(record, gold, answers, grades);
    }

    public static PreparedRecord[] PrepareAll(IReadOnlyList<BenchmarkRecord> records, IReadOnlyCollection<string> models, GradingProtocol protocol = GradingProtocol.Strict)
    {
        var prepared = new PreparedRecord[records.Count];
        Parallel.For(0, records.Count, i => prepared[i] = Prepare(records[i], models, protocol));
        return prepared;
    }

    /// <summary>The training items' answers and grades, columns in pool order, for the cross-validated ensemble search.</summary>
    public static Calibration.CalibrationSamples SamplesOf(PreparedRecord[] train, IReadOnlyList<string> pool)
    {
        var answers = new string?[]?[train.Length][];
        var grades = new double?[]?[train.Length][];
        var choices = new int[train.Length];
        for (int i = 0; i < train.Length; i++)
        {
            answers[i] = pool.Select(m => train[i].Answers.TryGetValue(m, out string?[]? a) ? a : null).ToArray();
            grades[i] = pool.Select(m => train[i].Grades.TryGetValue(m, out double?[]? g) ? g : null).ToArray();
            choices[i] = train[i].Record.Choices?.Count is > 1 and int count ? count : 4;
        }
        return new Calibration.CalibrationSamples(answers, grades, choices, train.Select(r => r.Record.AnswerType).ToArray(), train.Select(r => r.Record.Grading).ToArray());
    }

}
