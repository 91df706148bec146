using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ActorRL.Host.Hosting;

/// <summary>Fills <see cref="TorchOptions"/> from the <c>torch</c> section, strictly (see <see cref="StrictSectionBinder"/>).</summary>
public sealed class TorchOptionsSetup(IConfiguration configuration) : IConfigureOptions<TorchOptions>
{
    /// <inheritdoc/>
    public void Configure(TorchOptions options) =>
        StrictSectionBinder.Bind(configuration.GetSection(TorchOptions.Section), options);
}
