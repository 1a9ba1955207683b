using Avengers.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Avengers.Benchmarks -- --filter '*'     (all BenchmarkDotNet suites)
// dotnet run -c Release --project bench/Avengers.Benchmarks -- quality          (k-means inertia: ours vs ML.NET)
// dotnet run -c Release --project bench/Avengers.Benchmarks -- gateway [s] [c]  (gateway overhead under loopback load)
// dotnet run -c Release --project bench/Avengers.Benchmarks -- gateway-suite [s] (every path x embedder x 1 and 8 connections, one run)
// dotnet run -c Release --project bench/Avengers.Benchmarks -- fleet [s] [c]    (what Redis adds: shared cache, limit checks, two replicas)
// dotnet run -c Release --project bench/Avengers.Benchmarks -- drift mmlu-pro [fraction] [clusters] [plot.png]  (live feedback after a drift)
if (args.Length > 0 && args[0] == "gateway-suite")
{
    await GatewaySuite.RunAsync(args);
    return;
}
if (args.Length > 0 && args[0] == "gateway")
{
    await GatewayLoad.RunAsync(args);
    return;
}
if (args.Length > 0 && args[0] == "fleet")
{
    await FleetLoad.RunAsync(args);
    return;
}
if (args.Length > 0 && args[0] == "drift")
{
    try { await DriftBenchmark.RunAsync(args); }
    catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FileNotFoundException or Avengers.Data.BenchmarkFormatException)
    {
        Console.Error.WriteLine($"drift: {ex.Message}");
        Environment.ExitCode = 1;
    }
    return;
}
if (args.Length > 0 && args[0] == "static-agreement")
{
    await StaticAgreement.RunAsync();
    return;
}
if (args.Length > 0 && args[0] == "quality")
{
    KMeansQuality.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(KMeansBenchmarks).Assembly).Run(args);
