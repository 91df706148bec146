using System.CommandLine;

namespace ActorRL.Host.Cli;

/// <summary>The options every <c>actorrl bench</c> subcommand shares.</summary>
public static class BenchOptions
{
    /// <summary>The required <c>--json FILE</c> the results are written to.</summary>
    public static Option<FileInfo> JsonFile(string description) => new("--json")
    {
        Description = description,
        HelpName = "FILE",
        Required = true,
    };

    /// <summary><c>--threads N</c>: intra-op threads for every implementation measured (at least 1).</summary>
    public static Option<int?> Threads()
    {
        var threads = new Option<int?>("--threads")
        {
            Description = "Intra-op threads for every implementation [default: libtorch's current count, i.e. torch.threads from --config, else libtorch's own default]",
            HelpName = "N",
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--threads must be at least 1");
        });
        return threads;
    }

    /// <summary>A count option with a default, refused below <paramref name="minimum"/>.</summary>
    public static Option<int> Counted(string name, string description, int defaultValue, int minimum = 1)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            HelpName = "N",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < minimum) r.AddError($"{name} must be at least {minimum}");
        });
        return option;
    }
}
