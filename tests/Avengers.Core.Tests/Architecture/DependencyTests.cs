using System.Text.RegularExpressions;

namespace Avengers.Tests.Architecture;

/// <summary>The core's rooms (its folders, one namespace each, in the runtime assembly and the lab) depend on one another without cycles.</summary>
public partial class DependencyTests
{
    [GeneratedRegex(@"\bAvengers\.(?<ns>[A-Z][A-Za-z]+)\b")]
    private static partial Regex Reference();

    private static string CoreFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "src", "Avengers.Core"))) return Path.Combine(dir.FullName, "src", "Avengers.Core");
        throw new DirectoryNotFoundException("src/Avengers.Core not found above the test's folder");
    }

    /// <summary>Room (a folder of the runtime core or of the lab) -> the other rooms its files name (in usings or qualified names).</summary>
    private static Dictionary<string, HashSet<string>> Graph()
    {
        string[] assemblies = [CoreFolder(), Path.Combine(Path.GetDirectoryName(CoreFolder())!, "Avengers.Lab")];
        var folders = assemblies.SelectMany(a => Directory.GetDirectories(a).Where(d => Path.GetFileName(d) is not ("bin" or "obj"))).ToList();
        var rooms = folders.Select(Path.GetFileName).ToHashSet()!;
        var graph = rooms.ToDictionary(r => r!, _ => new HashSet<string>());
        foreach (string folder in folders)
        {
            string room = Path.GetFileName(folder);
            foreach (string file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
                foreach (Match m in Reference().Matches(File.ReadAllText(file)))
                    if (m.Groups["ns"].Value is string used && used != room && rooms.Contains(used)) graph[room].Add(used);
        }
        return graph;
    }

    [Fact]
    public void The_rooms_of_the_core_form_no_cycle()
    {
        Dictionary<string, HashSet<string>> graph = Graph();
        var state = new Dictionary<string, int>(); // 1 visiting, 2 done
        var path = new Stack<string>();
        string? Visit(string room)
        {
            state[room] = 1;
            path.Push(room);
            foreach (string next in graph[room].Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1) return string.Join(" -> ", path.Reverse().SkipWhile(r => r != next).Append(next));
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is string cycle) return cycle;
            }
            path.Pop();
            state[room] = 2;
            return null;
        }
        foreach (string room in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(room) == 0 && Visit(room) is string cycle) Assert.Fail($"dependency cycle: {cycle}");
    }

    [Fact]
    public void Reading_answers_depends_on_no_other_room()
        => Assert.Empty(Graph()["Answers"]);

    [GeneratedRegex(@"^(?:(?<vis>public|internal|file) )?(?:(?:static|sealed|abstract|readonly|partial|unsafe) )*(?:class|record struct|record class|record|struct|enum|interface) (?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [Fact]
    public void Every_source_file_holds_one_type_named_as_the_file()
    {
        // Small private helpers may share a file (file-scoped or nested types); anything a reader would look for by name has its own.
        string src = Path.GetDirectoryName(CoreFolder())!; // every project under src
        var offenders = new List<string>();
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            string[] types = [.. TopLevelType().Matches(File.ReadAllText(file)).Where(m => m.Groups["vis"].Value != "file").Select(m => m.Groups["name"].Value)];
            if (types.Length > 1 || types.Length == 1 && types[0] != Path.GetFileNameWithoutExtension(file).Split('.')[0])
                offenders.Add($"{Path.GetRelativePath(src, file)}: {string.Join(", ", types)}");
        }
        Assert.True(offenders.Count == 0, "files holding several types, or one not named as the file:\n" + string.Join("\n", offenders));
    }
}
