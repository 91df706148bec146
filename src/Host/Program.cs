using System.CommandLine;
using ActorRL.Host.Cli;

// actorrl: the ActorRL command line. Each command runs inside the generic host (see CommandHost);
// parse errors and unknown commands get System.CommandLine's message and a non-zero exit code.
var root = new RootCommand("ActorRL: actor-model RLHF on libtorch")
{
    GlobalOptions.Config,
    TrainCommand.Create(),
    NodeCommand.Create(),
    StatusCommand.Create(),
    EvalCommand.Create(),
    DoctorCommand.Create(),
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
