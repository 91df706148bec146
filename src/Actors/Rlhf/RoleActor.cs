using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tensors;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Rlhf;

/// <summary>What every role of one run shares: the settings, the run's fault injector, the stages' checkpoints and the
/// RL checkpoint the run continues from (null when it starts the RL stage afresh).</summary>
internal sealed record RoleSetup(RlhfRunSettings Settings, FaultInjector Faults, IReadOnlyDictionary<string, string> StageDirs, string? ResumeFrom);

/// <summary>
/// The base of the compute roles: a dedicated <see cref="ComputeThread"/>, request handlers that run there and reply,
/// and the failure contract — a role that throws on a request first tells the requester <see cref="RoleFailed"/> (so the
/// coordinator re-sends the work) and then rethrows, so that its supervisor restarts it.
/// </summary>
internal abstract class RoleActor : ReceiveActor
{
    private ComputeThread? compute;
    private IRlTask? task;
    private Device? device;

    protected RoleActor(RoleSetup setup) => Setup = setup;

    protected RoleSetup Setup { get; }

    protected RlhfRunSettings Settings => Setup.Settings;

    /// <summary>The run's task, created on first use (prompts by id, verifier, demonstrations).</summary>
    protected IRlTask Task => task ??= RlTasks.Create(Settings.Task, Settings.Seed);

    /// <summary>The device the role's models live on.</summary>
    protected Device Device => device ??= Models.Tensors.Device.Parse(Settings.Device);

    /// <summary>The role's name in messages and logs: its actor path.</summary>
    protected string Role => Self.Path.ToString();

    protected internal override void PreStart() => compute = new ComputeThread(Self.Path.Name, Settings.TorchThreads);

    protected internal override void PostStop()
    {
        if (compute is null) return;
        // Models are freed on the thread that used them, after its queued work; a hung computation keeps them.
        _ = compute.Run(() =>
        {
            ReleaseModels();
            return true;
        });
        compute.Dispose();
        compute = null;
    }

    /// <summary>Frees the role's models; runs on the compute thread when the actor stops or restarts.</summary>
    protected abstract void ReleaseModels();

    /// <summary>Runs <paramref name="work"/> on the role's compute thread.</summary>
    protected Task<T> OnCompute<T>(Func<T> work) =>
        (compute ?? throw new InvalidOperationException($"{Role} has no compute thread")).Run(work);

    /// <summary>Handles <typeparamref name="TRequest"/> by computing its reply on the compute thread.</summary>
    protected void Handle<TRequest>(Func<TRequest, RoleReply> work) where TRequest : RoleRequest =>
        ReceiveAsync<TRequest>(async request =>
        {
            IActorRef replyTo = Sender;
            RoleReply reply;
            try
            {
                reply = await OnCompute(() => work(request));
            }
            catch (Exception e)
            {
                Context.Log.LogWarning("{Role} failed on {Request} of step {Step}: {Error}", Role, request.GetType().Name, request.Step, e.Message);
                replyTo.Tell(new RoleFailed(request.RequestId, Role, e.Message, Permanent: e is NonFiniteUpdateException), Self);
                throw;
            }
            replyTo.Tell(reply, Self);
        });
}
