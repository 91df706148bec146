using ActorRL.Models.Tensors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorRL.Host.Hosting;

/// <summary>Applies <see cref="TorchOptions"/> to libtorch when the host starts, before any command runs.</summary>
public sealed partial class TorchRuntime(IOptions<TorchOptions> options, ILogger<TorchRuntime> logger) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        TorchOptions o = options.Value;
        if (o.Threads > 0) Torch.Threads = o.Threads;
        LogApplied(logger, Torch.Version, Torch.Threads, o.Device);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "libtorch {Version}: {Threads} intra-op threads, device {Device}")]
    private static partial void LogApplied(ILogger logger, string version, int threads, string device);
}
