using System.CommandLine;
using Avengers.Cli.Commands;

var root = new RootCommand("avengers: unite small language models by clustering queries, routing to the models that are best in the cluster, and voting over their answers.")
{
    ImportCommand.Create(),
    CalibrateCommand.Create(),
    RouteCommand.Create(),
    ExperimentCommand.Create(),
    AblateCommand.Create(),
    ReportCommand.Create(),
    ServeCommands.Serve(),
    ServeCommands.Replay(),
    ServeCommands.Config(),
    RouterCommand.Create(),
    FeedbackCommand.Create(),
    FaultsCommand.Create(),
    CollectCommand.Create(),
    ModelsCommand.Create(),
    AnswersCommand.Create(),
};
ParseResult parse = root.Parse(args.Length == 0 ? ["--help"] : args);
if (parse.Errors.Count > 0)
{
    // Every problem, first, in words; then one line pointing at the help; exit code 2 (as the README says).
    foreach (System.CommandLine.Parsing.ParseError error in parse.Errors) Console.Error.WriteLine($"error: {Avengers.Cli.CliRunner.FriendlyTypes(error.Message)}");
    // A misspelled verb: suggest the closest one.
    if (parse.CommandResult.Command == root && args.Length > 0 && !args[0].StartsWith('-')
        && Avengers.Cli.CliRunner.ClosestVerb(args[0], root.Subcommands.Select(c => c.Name)) is string closest)
        Console.Error.WriteLine($"did you mean 'avengers {closest}'?");
    string verb = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
    Console.Error.WriteLine($"run 'avengers{verb} --help' for the options");
    return 2;
}
// The servers handle SIGTERM and Ctrl+C themselves (their host drains requests in flight, up to drain_seconds);
// every other verb is cancelled and given System.CommandLine's default two seconds to end.
bool server = parse.CommandResult.Command.Name is "serve" or "replay-server";
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = server ? null : TimeSpan.FromSeconds(2) });
