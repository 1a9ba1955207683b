using System.Reflection;
using Avengers.Server.Gateway;

namespace Avengers.Tests.Architecture;

/// <summary>What a gateway process loads: the runtime core, never the offline lab and its plotting, Parquet or CSV libraries.</summary>
public class GatewayClosureTests
{
    private static IReadOnlyCollection<string> Closure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>([root.GetName()]);
        while (pending.Count > 0)
        {
            AssemblyName name = pending.Pop();
            if (name.Name is null || !seen.Add(name.Name)) continue;
            Assembly assembly;
            try { assembly = Assembly.Load(name); }
            catch (FileNotFoundException) { continue; } // a facade of the shared framework that is never loaded
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies()) pending.Push(reference);
        }
        return seen;
    }

    [Fact]
    public void The_gateway_depends_on_neither_the_lab_nor_plotting_parquet_or_csv()
    {
        IReadOnlyCollection<string> closure = Closure(typeof(GatewayRuntime).Assembly);
        Assert.Contains("Avengers.Core", closure);
        foreach (string forbidden in new[] { "Avengers.Lab", "Avengers.Testbed", "ScottPlot", "Parquet", "CsvHelper", "SkiaSharp" })
            Assert.DoesNotContain(closure, name => name.StartsWith(forbidden, StringComparison.Ordinal));
    }

    [Fact]
    public void The_gateway_and_the_cli_reach_no_core_internals()
    {
        // The hosts use the public API: the runtime core grants its internals to the lab and the tests only.
        var granted = typeof(Avengers.Routing.ClusterRouter).Assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName).ToList();
        Assert.DoesNotContain("Avengers.Server", granted);
        Assert.DoesNotContain("avengers", granted);
        Assert.DoesNotContain("Avengers.Testbed", granted);
    }
}
