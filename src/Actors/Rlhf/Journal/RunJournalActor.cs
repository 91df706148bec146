using ActorRL.Actors.Persistence;

namespace ActorRL.Actors.Rlhf.Journal;

/// <summary>Journal <paramref name="Event"/> and reply <see cref="Journaled"/> once it is written.</summary>
public sealed record JournalRequested(long RequestId, long Step, object Event) : RoleRequest(RequestId, Step);

/// <summary>The event of a <see cref="JournalRequested"/> is durable.</summary>
public sealed record Journaled(long RequestId) : RoleReply(RequestId);

/// <summary>
/// The coordinator's journal: a persistent actor that writes the run's events (<see cref="RunStarted"/>,
/// <see cref="StepCompleted"/>, <see cref="CheckpointCommitted"/>) in the order it receives them and keeps the
/// <see cref="RunHistory"/> they add up to.
/// </summary>
internal sealed class RunJournalActor : PersistentActor
{
    private readonly PersistenceSettings persistence;
    private RunHistory history = RunHistory.Empty;

    public RunJournalActor(PersistenceSettings persistence)
    {
        this.persistence = persistence;
        Recover<RunStarted>(e => history = history.Apply(e));
        Recover<StepCompleted>(e => history = history.Apply(e));
        Recover<CheckpointCommitted>(e => history = history.Apply(e));
        Recover<ObjectiveStateChanged>(e => history = history.Apply(e));
        Command<RunStarted>(e => Persist(e, Apply));
        Command<StepCompleted>(e => Persist(e, Apply));
        Command<ObjectiveStateChanged>(e => Persist(e, Apply));
        Command<JournalRequested>(request =>
        {
            IActorRef replyTo = Sender;
            Persist(request.Event, e =>
            {
                Apply(e);
                replyTo.Tell(new Journaled(request.RequestId), Self);
            });
        });
    }

    public override string PersistenceId => RunJournal.PersistenceId;

    protected override PersistenceSettings ResolveSettings() => persistence;

    private void Apply(object e) => history = history.Apply(e);
}
