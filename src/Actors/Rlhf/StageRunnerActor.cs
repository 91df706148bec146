using ActorRL.Models.Rlhf.Stages;

namespace ActorRL.Actors.Rlhf;

/// <summary>
/// Runs the pre-RL stages (SFT, reward model, DPO) one request at a time; each stage's checkpoint is reused when an
/// earlier run trained the same settings. Progress goes to the coordinator as <see cref="StageProgressed"/>.
/// </summary>
internal sealed class StageRunnerActor : RoleActor
{
    private readonly CancellationToken stopping;

    public StageRunnerActor(RoleSetup setup, CancellationToken stopping) : base(setup)
    {
        this.stopping = stopping;
        ReceiveAsync<StageRequested>(async request =>
        {
            IActorRef replyTo = Sender;
            try
            {
                StageResult? result = await OnCompute(() => RunStage(request.Stage, request.Upstream, p => replyTo.Tell(new StageProgressed(p), Self)));
                replyTo.Tell(new StageCompleted(request.RequestId, result), Self);
            }
            catch (OperationCanceledException)
            {
                replyTo.Tell(new StageCompleted(request.RequestId, null, Cancelled: true), Self);
            }
            catch (Exception e)
            {
                replyTo.Tell(new RoleFailed(request.RequestId, Role, e.Message), Self);
                throw;
            }
        });
    }

    private StageResult? RunStage(string stage, IReadOnlyDictionary<string, StageResult> upstream, Action<StageProgress> progress)
    {
        StageSettings stages = Settings.Stages;
        return stage switch
        {
            "sft" => SftStage.Run(Task, Settings.Model, stages.Sft, Settings.Seed, Settings.RunDir, progress, stopping, device: Device),
            "reward_model" => RewardModelStage.Run(Task, Settings.Model, stages.RewardModel, upstream.GetValueOrDefault("sft"), Settings.Seed, Settings.RunDir, progress, stopping, device: Device),
            "dpo" => DpoStage.Run(Task, Settings.Model, stages.Dpo, upstream["sft"], Settings.Seed, Settings.RunDir, progress, stopping, device: Device),
            _ => throw new ArgumentException($"unknown stage '{stage}'", nameof(stage)),
        };
    }

    protected override void ReleaseModels()
    {
    }
}
