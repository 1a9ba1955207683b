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
    FaultsCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
