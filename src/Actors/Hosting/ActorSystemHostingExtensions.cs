using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Hosting;

/// <summary>Registers an <see cref="ActorSystem"/> with the generic host.</summary>
public static class ActorSystemHostingExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="ActorSystem"/> that logs through the host's <see cref="ILoggerFactory"/>
    /// and is terminated gracefully (children before parents) when the host stops.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The actor system's name.</param>
    /// <param name="options">Kernel settings; defaults when null.</param>
    /// <param name="start">Creates the top-level actors once the host starts.</param>
    public static IServiceCollection AddActorSystem(this IServiceCollection services, string name,
        ActorSystemOptions? options = null, Action<ActorSystem, IServiceProvider>? start = null)
    {
        services.AddSingleton(sp => ActorSystem.Create(name, options, sp.GetService<ILoggerFactory>()));
        services.AddHostedService(sp => new ActorSystemService(sp.GetRequiredService<ActorSystem>(), sp, start));
        return services;
    }

    /// <summary>Starts the top-level actors with the host and terminates the system when it stops.</summary>
    private sealed class ActorSystemService(ActorSystem system, IServiceProvider services, Action<ActorSystem, IServiceProvider>? start) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            start?.Invoke(system, services);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await system.Terminate().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                system.LoggerFactory.CreateLogger<ActorSystem>().LogWarning(
                    "the host's shutdown timeout passed before actor system {System} finished terminating", system.Name);
            }
        }
    }
}
