using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorRL.Host.Progress;

/// <summary>A progress column showing <c>step/total</c> (just the step while the total is unknown).</summary>
public sealed class StepCountColumn : ProgressColumn
{
    /// <inheritdoc/>
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        ArgumentNullException.ThrowIfNull(task);
        string text = task.IsIndeterminate
            ? string.Create(CultureInfo.InvariantCulture, $"{task.Value:0}")
            : string.Create(CultureInfo.InvariantCulture, $"{task.Value:0}/{task.MaxValue:0}");
        return new Text(text);
    }
}
