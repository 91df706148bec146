namespace ActorRL.Host.Bench;

/// <summary>Milliseconds per timed training step of each program, from one run of one implementation.</summary>
/// <param name="Mlp">The MLP program's steps.</param>
/// <param name="Block">The GPT block program's steps.</param>
public sealed record StepTimes(IReadOnlyList<double> Mlp, IReadOnlyList<double> Block);
