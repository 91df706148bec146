namespace ActorRL.Actors.Tests;

/// <summary>Asks a <see cref="Parent"/> for one of its children.</summary>
public sealed record GetChild(string Name);

/// <summary>
/// A parent for supervision and lifecycle tests: creates its children in PreStart (so again after a
/// restart), supervises them with the props' strategy, records its lifecycle, and hands out child refs.
/// </summary>
public sealed class Parent(Journal journal, params (string Name, Props Props)[] children) : ActorBase
{
    public static Props Props(Journal journal, SupervisorStrategy? strategy, params (string Name, Props Props)[] children)
    {
        Props props = Actors.Props.Create(() => new Parent(journal, children));
        return strategy is null ? props : props.WithSupervisorStrategy(strategy);
    }

    protected internal override void PreStart()
    {
        journal.Add($"PreStart {Self.Path.Name}");
        foreach (var (name, props) in children) Context.ActorOf(props, name);
    }

    protected internal override void PostStop() => journal.Add($"PostStop {Self.Path.Name}");

    protected internal override void PostRestart(Exception reason)
    {
        journal.Add($"PostRestart {Self.Path.Name}");
        base.PostRestart(reason);
    }

    protected internal override ValueTask<bool> ReceiveAsync(object message)
    {
        if (message is not GetChild get) return new ValueTask<bool>(false);
        Sender.Tell(Context.Child(get.Name) ?? (object)new Status.Failure(new InvalidOperationException($"no child {get.Name}")));
        return new ValueTask<bool>(true);
    }
}

/// <summary>Makes the receiving <see cref="Worker"/> throw <see cref="Cause"/>.</summary>
public sealed record Fail(Exception Cause);

/// <summary>Asks a <see cref="Worker"/> for its count of handled numbers.</summary>
public sealed record GetCount;

/// <summary>
/// Counts the numbers it handles (its state), reports each as "name:n=count" to an optional probe,
/// throws on <see cref="Fail"/>, and records its lifecycle in a journal.
/// </summary>
public sealed class Worker : ReceiveActor
{
    private int count;

    public Worker(Journal journal, IActorRef? report = null)
    {
        Journal = journal;
        journal.Add($"ctor {Name}");
        Receive<int>(n =>
        {
            count++;
            report?.Tell($"{Name}:{n}={count}");
        });
        Receive<Fail>(f => throw f.Cause);
        Receive<GetCount>(_ => Sender.Tell(count));
        Receive<string>(s => Sender.Tell(s));
    }

    private Journal Journal { get; }

    private string Name => Self.Path.Name;

    public static Props Props(Journal journal, IActorRef? report = null) => Actors.Props.Create(() => new Worker(journal, report));

    protected internal override void PreStart() => Journal.Add($"PreStart {Name}");

    protected internal override void PostStop() => Journal.Add($"PostStop {Name}");

    protected internal override void PreRestart(Exception reason, object? message)
    {
        Journal.Add($"PreRestart {Name}");
        base.PreRestart(reason, message);
    }

    protected internal override void PostRestart(Exception reason)
    {
        Journal.Add($"PostRestart {Name}");
        base.PostRestart(reason);
    }
}
