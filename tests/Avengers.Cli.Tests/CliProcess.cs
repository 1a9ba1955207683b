using System.Diagnostics;

namespace Avengers.Tests.Cli;

/// <summary>The built <c>avengers</c> program, run as a separate process as users run it, with a fresh cache folder.</summary>
internal static class CliProcess
{
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string>? environment, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "avengers.dll"));
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["AVENGERS_CACHE"] = TestData.TempDir();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return info;
    }

    /// <summary>Runs to the end: exit code, standard output, standard error.</summary>
    public static (int Exit, string Out, string Err) Run(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using Process process = Process.Start(StartInfo(environment, args))!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}
