using Microsoft.Extensions.Options;
using TorchDevice = ActorRL.Models.Tensors.Device;

namespace ActorRL.Host.Hosting;

/// <summary>Rejects <see cref="TorchOptions"/> that libtorch could not use, naming the field.</summary>
public sealed class TorchOptionsValidator : IValidateOptions<TorchOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TorchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Threads < 0)
        {
            failures.Add($"{TorchOptions.Section}.threads: must be 0 (libtorch's default) or a positive thread count, not {options.Threads}");
        }
        try
        {
            TorchDevice.Parse(options.Device);
        }
        catch (Exception e) when (e is FormatException or ArgumentNullException)
        {
            failures.Add($"{TorchOptions.Section}.device: '{options.Device}' is not a device: use cpu, cuda or cuda:N");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
