using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace ActorRL.Actors.Persistence;

/// <summary>
/// An event-sourced actor in the Akka.NET shape. Its state is rebuilt from the journal before it handles any
/// command: the latest snapshot (<see cref="SnapshotOffer"/>), then the events after it in order, then
/// <see cref="RecoveryCompleted"/>, all through the handlers registered with <see cref="Recover{T}"/>. Commands
/// that arrive meanwhile wait, and are handled afterwards in arrival order. Recovery runs again after every
/// restart, so a restarted actor starts from what the journal holds.
/// <para>
/// A command handler (<see cref="Command{T}"/>, <see cref="CommandAsync{T}"/>) calls <see cref="Persist{T}"/> or
/// <see cref="PersistAll{T}"/>; when it returns, all the events it persisted are written as one atomic batch, and
/// then their handlers run in order, all in the same mailbox turn: no other command is handled between the
/// command, the write and the handlers (the kernel does not interleave turns across awaits, which is what gives
/// Akka's stash-during-persist). Handlers may persist again; those events are written after them, still in the turn.
/// </para>
/// <para>
/// A failed write (<see cref="JournalUnavailableException"/>, <see cref="JournalConcurrencyException"/>) applies
/// none of the batch's events and goes to <see cref="OnPersistFailure"/>, which by default makes the actor fail with
/// <see cref="PersistFailedException"/>; its supervisor decides. The default strategy restarts it with back-off, and the new instance recovers from the journal, which
/// holds exactly what was written; a supervisor that maps <see cref="PersistFailedException"/> to
/// <see cref="Directive.Stop"/> gets Akka's stop-on-persist-failure instead. A failed recovery goes to <see cref="OnRecoveryFailure"/>,
/// which by default fails the actor with <see cref="RecoveryFailedException"/>, naming the persistence id and sequence number.
/// </para>
/// </summary>
public abstract class PersistentActor : ActorBase
{
    /// <summary>Events read from the journal per round trip during recovery.</summary>
    public const int ReplayBatchSize = 500;

    private readonly HandlerTable recoverHandlers = new();
    private HandlerTable commandHandlers = new();
    private HandlerTable? building;
    private readonly List<PendingEvent> pending = [];
    private PersistenceSettings? settings;
    private bool registrationOpen = true;
    private bool recovered;
    private bool handlingCommand;

    /// <summary>Starts collecting the recovery and command handlers (in the subclass constructor).</summary>
    protected PersistentActor() => building = commandHandlers;

    /// <summary>The stable id the actor's events and snapshots are stored under; the same across incarnations.</summary>
    public abstract string PersistenceId { get; }

    /// <summary>The sequence number of the last event persisted or replayed (0 when none); during a persist
    /// handler, that handler's event.</summary>
    public long LastSequenceNr { get; private set; }

    /// <summary>Whether the actor is still recovering (commands wait until it is not).</summary>
    protected bool IsRecovering => !recovered;

    /// <summary>The stores and serializer in use: <see cref="PersistenceRegistry.For"/> of the actor's system by default.</summary>
    protected virtual PersistenceSettings ResolveSettings() => PersistenceRegistry.For(Context.System);

    // ---- registration ----

    /// <summary>Handles <typeparamref name="T"/> during recovery: snapshot offers, replayed events, RecoveryCompleted.
    /// Register in the constructor.</summary>
    protected void Recover<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!registrationOpen) throw new InvalidOperationException("recovery handlers can be registered only in the constructor");
        recoverHandlers.Add(handler);
    }

    /// <summary>Handles commands of type <typeparamref name="T"/> (matching <paramref name="when"/>, if given);
    /// register in the constructor or inside <see cref="Become"/>.</summary>
    protected void Command<T>(Action<T> handler, Predicate<T>? when = null) => Building().Add(handler, when);

    /// <summary>Handles commands of type <typeparamref name="T"/> asynchronously: no other message is taken until
    /// the task completes and the events it persisted are written and handled.</summary>
    protected void CommandAsync<T>(Func<T, Task> handler, Predicate<T>? when = null) => Building().AddAsync(handler, when);

    /// <summary>Handles any command not matched by an earlier handler.</summary>
    protected void CommandAny(Action<object> handler) => Building().Add(handler);

    /// <summary>Replaces the command handlers with those <paramref name="configure"/> registers
    /// (<see cref="IActorContext.Become"/> is for receive actors only).</summary>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var next = new HandlerTable();
        HandlerTable? outer = building;
        building = next;
        try
        {
            configure();
        }
        finally
        {
            building = outer;
        }
        commandHandlers = next;
    }

    private HandlerTable Building() => building ?? throw new InvalidOperationException(
        "command handlers can be registered only in the constructor or inside Become(...)");

    // ---- persisting ----

    /// <summary>Persists <paramref name="event"/>: it is written when the current command handler returns, and then
    /// <paramref name="handler"/> runs with it, before any other command. Only from a command or persist handler.</summary>
    /// <exception cref="ArgumentException">The event's type is not registered with the serializer.</exception>
    protected void Persist<T>(T @event, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(handler);
        PersistenceSettings s = RequirePersisting();
        (string manifest, byte[] payload) = s.Serializer.Serialize(@event);
        pending.Add(new PendingEvent(manifest, payload, () => handler(@event)));
    }

    /// <summary>Persists <paramref name="events"/> in the same atomic batch as the command's other events; the handler
    /// runs for each, in order, after the write.</summary>
    /// <exception cref="ArgumentException">An event's type is not registered with the serializer.</exception>
    protected void PersistAll<T>(IEnumerable<T> events, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(handler);
        PersistenceSettings s = RequirePersisting();
        var serialized = new List<PendingEvent>();
        foreach (T e in events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            (string manifest, byte[] payload) = s.Serializer.Serialize(e);
            serialized.Add(new PendingEvent(manifest, payload, () => handler(e)));
        }
        pending.AddRange(serialized);
    }

    private PersistenceSettings RequirePersisting()
    {
        if (!recovered || !handlingCommand || settings is null)
        {
            throw new InvalidOperationException(
                $"persistent actor '{PersistenceId}' can persist only while handling a command (not during recovery or start-up)");
        }
        return settings;
    }

    /// <summary>Writes the pending events as one batch, then runs their handlers; repeats for events those persisted.</summary>
    private async ValueTask FlushAsync()
    {
        PersistenceSettings s = settings!;
        string id = PersistenceId;
        while (pending.Count > 0)
        {
            PendingEvent[] batch = [.. pending];
            pending.Clear();
            var reprs = new PersistentRepr[batch.Length];
            DateTimeOffset now = DateTimeOffset.UtcNow;
            for (int i = 0; i < batch.Length; i++)
            {
                reprs[i] = new PersistentRepr(id, LastSequenceNr + 1 + i, batch[i].Manifest, batch[i].Payload, now);
            }
            try
            {
                await s.Journal.WriteAsync(reprs).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new PersistFailedException(id, reprs[0].SequenceNr, reprs[^1].SequenceNr, e);
            }
            for (int i = 0; i < batch.Length; i++)
            {
                LastSequenceNr = reprs[i].SequenceNr;
                batch[i].Handler();
            }
        }
    }

    // ---- snapshots and deletion ----

    /// <summary>
    /// Stores <paramref name="state"/> (serialized now) as the snapshot at <see cref="LastSequenceNr"/>, in the
    /// background: the actor is told <see cref="SaveSnapshotSuccess"/> or <see cref="SaveSnapshotFailure"/>. Delete
    /// old events only after the success, so that a crash in between cannot lose both.
    /// </summary>
    /// <exception cref="ArgumentException">The state's type is not registered with the serializer.</exception>
    protected void SaveSnapshot(object state)
    {
        ArgumentNullException.ThrowIfNull(state);
        PersistenceSettings s = RequireSettings();
        (string manifest, byte[] payload) = s.Serializer.Serialize(state);
        var metadata = new SnapshotMetadata(PersistenceId, LastSequenceNr, DateTimeOffset.UtcNow);
        var record = new SnapshotRecord(metadata.PersistenceId, metadata.SequenceNr, manifest, payload, metadata.Timestamp);
        InBackground(() => s.Snapshots.SaveAsync(record), new SaveSnapshotSuccess(metadata), e => new SaveSnapshotFailure(metadata, e));
    }

    /// <summary>Deletes this actor's events up to <paramref name="toSequenceNr"/> (at most <see cref="LastSequenceNr"/>)
    /// in the background; the actor is told <see cref="DeleteMessagesSuccess"/> or <see cref="DeleteMessagesFailure"/>.
    /// Sequence numbers are never reused: later events continue after <see cref="LastSequenceNr"/>.</summary>
    protected void DeleteMessages(long toSequenceNr)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(toSequenceNr);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(toSequenceNr, LastSequenceNr);
        PersistenceSettings s = RequireSettings();
        string id = PersistenceId;
        InBackground(() => s.Journal.DeleteToAsync(id, toSequenceNr), new DeleteMessagesSuccess(toSequenceNr), e => new DeleteMessagesFailure(toSequenceNr, e));
    }

    /// <summary>Deletes this actor's snapshots up to <paramref name="toSequenceNr"/> in the background; the actor is
    /// told <see cref="DeleteSnapshotsSuccess"/> or <see cref="DeleteSnapshotsFailure"/>.</summary>
    protected void DeleteSnapshots(long toSequenceNr)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(toSequenceNr);
        PersistenceSettings s = RequireSettings();
        string id = PersistenceId;
        InBackground(() => s.Snapshots.DeleteToAsync(id, toSequenceNr), new DeleteSnapshotsSuccess(toSequenceNr), e => new DeleteSnapshotsFailure(toSequenceNr, e));
    }

    // Runs a store call off the actor's turn and tells the actor how it ended.
    private void InBackground(Func<Task> operation, object success, Func<Exception, object> failure)
    {
        IActorRef self = Self;
        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                await operation().ConfigureAwait(false);
                self.Tell(success, self);
            }
            catch (Exception e)
            {
                self.Tell(failure(e), self);
            }
        }
    }

    private PersistenceSettings RequireSettings() => settings ?? throw new InvalidOperationException(
        $"persistent actor '{PersistenceId}' can use its stores only once its recovery has started");

    // ---- lifecycle and message handling ----

    /// <summary>Starts recovery by telling the actor a private message; an override must call <c>base.PreStart()</c>
    /// (otherwise recovery starts only with the first message).</summary>
    protected internal override void PreStart() => Self.Tell(RecoveryStart.Instance, Self);

    /// <inheritdoc/>
    protected internal sealed override ValueTask<bool> ReceiveAsync(object message)
    {
        building = null; // registration is over once the first message arrives
        registrationOpen = false;
        if (!recovered) return RecoverFirstAsync(message);
        if (message is RecoveryStart) return new ValueTask<bool>(true); // a late trigger: already recovered
        return HandleCommand(message);
    }

    /// <summary>
    /// Whatever message comes first (the trigger, or a command queued before it, or one put back by a restart)
    /// starts recovery in its turn; a command is stashed first and put back at the front afterwards, so commands
    /// keep their arrival order and survive a failed recovery (the kernel re-queues the stash on restart).
    /// </summary>
    private async ValueTask<bool> RecoverFirstAsync(object message)
    {
        if (message is not RecoveryStart) Context.Stash();
        try
        {
            await RecoverAsync().ConfigureAwait(false);
        }
        catch (RecoveryFailedException e)
        {
            OnRecoveryFailure(e);
            return true;
        }
        recovered = true;
        Context.UnstashAll();
        return true;
    }

    private async ValueTask RecoverAsync()
    {
        string id = PersistenceId;
        long at = 0;
        try
        {
            PersistenceSettings s = settings = ResolveSettings();
            SnapshotRecord? snapshot = await s.Snapshots.LoadLatestAsync(id).ConfigureAwait(false);
            if (snapshot is not null)
            {
                at = snapshot.SequenceNr;
                object state = s.Serializer.Deserialize(snapshot.Manifest, snapshot.Payload);
                LastSequenceNr = snapshot.SequenceNr;
                RecoveryHandle(new SnapshotOffer(new SnapshotMetadata(id, snapshot.SequenceNr, snapshot.Timestamp), state));
            }
            at = LastSequenceNr + 1;
            long highest = await s.Journal.HighestSequenceNrAsync(id).ConfigureAwait(false);
            for (long from = LastSequenceNr + 1; from <= highest; from += ReplayBatchSize)
            {
                at = from;
                IReadOnlyList<PersistentRepr> events = await s.Journal
                    .ReadAsync(id, from, Math.Min(highest, from + ReplayBatchSize - 1)).ConfigureAwait(false);
                foreach (PersistentRepr repr in events)
                {
                    at = repr.SequenceNr;
                    object @event = s.Serializer.Deserialize(repr.Manifest, repr.Payload);
                    LastSequenceNr = repr.SequenceNr;
                    RecoveryHandle(@event);
                }
            }
            // Deleted events still count: new events continue after the highest number ever written.
            LastSequenceNr = Math.Max(LastSequenceNr, highest);
            at = LastSequenceNr;
            if (recoverHandlers.Find(RecoveryCompleted.Instance) is not null) RecoveryHandle(RecoveryCompleted.Instance);
        }
        catch (Exception e)
        {
            throw new RecoveryFailedException(id, at, e);
        }
    }

    /// <summary>
    /// Called when a write failed (nothing of its batch was written, none of its handlers ran). The default rethrows, so
    /// the actor fails and its supervisor decides; an actor that cannot go on without its journal (Akka's default) can
    /// stop itself here instead.
    /// </summary>
    protected virtual void OnPersistFailure(PersistFailedException cause) => ExceptionDispatchInfo.Throw(cause);

    /// <summary>Called when recovery failed; the actor handles no command until it is recovered. The default rethrows,
    /// so the actor fails and its supervisor decides (a restart recovers again).</summary>
    protected virtual void OnRecoveryFailure(RecoveryFailedException cause) => ExceptionDispatchInfo.Throw(cause);

    private void RecoveryHandle(object message)
    {
        if (recoverHandlers.Find(message) is { } handler) handler(message).GetAwaiter().GetResult();
        else Unhandled(message);
    }

    private ValueTask<bool> HandleCommand(object message)
    {
        Func<object, ValueTask>? handler = commandHandlers.Find(message);
        if (handler is null) return new ValueTask<bool>(HandleStoreReply(message));
        ValueTask running;
        handlingCommand = true;
        try
        {
            running = handler(message);
        }
        catch
        {
            handlingCommand = false;
            pending.Clear();
            throw;
        }
        if (running.IsCompletedSuccessfully && pending.Count == 0)
        {
            handlingCommand = false;
            return new ValueTask<bool>(true);
        }
        return FinishCommandAsync(running);
    }

    private async ValueTask<bool> FinishCommandAsync(ValueTask running)
    {
        try
        {
            await running.ConfigureAwait(false);
            await FlushAsync().ConfigureAwait(false);
            return true;
        }
        catch (PersistFailedException e)
        {
            pending.Clear();
            OnPersistFailure(e);
            return true;
        }
        finally
        {
            handlingCommand = false;
            pending.Clear(); // a failed command or write applies none of its events
        }
    }

    /// <summary>Replies from the stores that the actor has no command handler for: successes are dropped, failures logged.</summary>
    private bool HandleStoreReply(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess or DeleteMessagesSuccess or DeleteSnapshotsSuccess:
                return true;
            case SaveSnapshotFailure f:
                Context.Log.LogWarning(f.Cause, "persistent actor {PersistenceId} could not save its snapshot at {SequenceNr}",
                    PersistenceId, f.Metadata.SequenceNr);
                return true;
            case DeleteMessagesFailure f:
                Context.Log.LogWarning(f.Cause, "persistent actor {PersistenceId} could not delete its events up to {SequenceNr}",
                    PersistenceId, f.ToSequenceNr);
                return true;
            case DeleteSnapshotsFailure f:
                Context.Log.LogWarning(f.Cause, "persistent actor {PersistenceId} could not delete its snapshots up to {SequenceNr}",
                    PersistenceId, f.ToSequenceNr);
                return true;
            default:
                return false;
        }
    }

    private sealed record PendingEvent(string Manifest, byte[] Payload, Action Handler);

    /// <summary>The private message that starts recovery.</summary>
    private sealed record RecoveryStart
    {
        public static readonly RecoveryStart Instance = new();
    }
}
