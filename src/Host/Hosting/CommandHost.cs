using System.CommandLine;
using System.Text.Json;
using ActorRL.Host.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace ActorRL.Host.Hosting;

/// <summary>
/// Runs one command inside the generic host: configuration from <c>--config</c>, options validated
/// before the command starts, <see cref="ILogger"/> on standard error, and Ctrl+C or SIGTERM
/// turned into cancellation. Maps the failures a user can fix to exit codes and one-line errors.
/// </summary>
public static class CommandHost
{
    /// <summary>Builds and starts the host, runs <paramref name="body"/>, stops the host.</summary>
    /// <returns>The body's exit code, or one of <see cref="ExitCodes"/> when the run could not start or failed.</returns>
    public static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken,
        Func<IServiceProvider, CancellationToken, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(body);
        FileInfo? configFile = parseResult.GetValue(GlobalOptions.Config);
        // Errors name the file as the user wrote it.
        string source = configFile?.ToString() ?? "the default configuration";

        IHost host;
        try
        {
            host = Build(configFile);
        }
        catch (InvalidConfigurationException e)
        {
            Terminal.WriteError($"{source}: {e.Message}");
            return ExitCodes.BadConfiguration;
        }

        using (host)
        {
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is OptionsValidationException or InvalidConfigurationException)
            {
                foreach (string failure in Failures(e)) Terminal.WriteError($"{source}: {failure}");
                return ExitCodes.BadConfiguration;
            }
            catch (DllNotFoundException e)
            {
                Terminal.WriteError($"the libtorch shim could not be loaded ({e.Message}). Install libtorch with "
                    + "'apt-get install -y libtorch-dev libopenblas0-pthread' and rebuild with 'dotnet build src/Host'.");
                return ExitCodes.Failure;
            }

            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            try
            {
                return await body(host.Services, stopping.Token);
            }
            catch (CommandFailedException e)
            {
                Terminal.WriteError(e.Message);
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                Terminal.WriteError("cancelled");
                return ExitCodes.Cancelled;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
    }

    private static IHost Build(FileInfo? configFile)
    {
        // No defaults: no appsettings.json from the working directory and no command-line
        // configuration, so that what a run uses is exactly what --config says.
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (configFile is not null) AddJsonFile(builder.Configuration, configFile);

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // A failed start is reported by RunAsync as one line naming the file and field; the host's
        // own log of it would repeat that with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        builder.Services.AddSingleton<IConfigureOptions<TorchOptions>, TorchOptionsSetup>();
        builder.Services.AddSingleton<IValidateOptions<TorchOptions>, TorchOptionsValidator>();
        builder.Services.AddOptions<TorchOptions>().ValidateOnStart();
        builder.Services.AddHostedService<TorchRuntime>();
        return builder.Build();
    }

    private static void AddJsonFile(ConfigurationManager configuration, FileInfo file)
    {
        if (!file.Exists) throw new InvalidConfigurationException("the file does not exist");
        try
        {
            configuration.AddJsonFile(file.FullName, optional: false, reloadOnChange: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidConfigurationException(Describe(e));
        }
    }

    // The JSON provider wraps the parser's error twice; the innermost one says where the file is broken.
    private static string Describe(InvalidDataException e)
    {
        Exception inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        if (inner is not JsonException json || json.LineNumber is null) return inner.Message;
        // The parser counts lines and bytes from 0 and appends its own position to the message.
        string message = json.Message;
        int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (position >= 0) message = message[..position];
        return $"not valid JSON at line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}: {message}";
    }

    private static IEnumerable<string> Failures(Exception e) =>
        e is OptionsValidationException validation ? validation.Failures : [e.Message];
}
