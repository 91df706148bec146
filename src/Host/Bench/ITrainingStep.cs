namespace ActorRL.Host.Bench;

/// <summary>
/// One training step of a fixed program (zero_grad, forward, backward, AdamW step) whose
/// parameters, data and optimizer live as long as the instance. Create instances outside any
/// <see cref="ActorRL.Models.Tensors.DisposeScope"/>, so that the parameters survive every step.
/// </summary>
public interface ITrainingStep : IDisposable
{
    /// <summary>Runs one step, freeing its intermediate tensors before returning.</summary>
    void Run();
}
