namespace ActorRL.Actors;

/// <summary>Timers that send messages to their actor; keys identify them, and starting a key again replaces it.</summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> once after <paramref name="delay"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>Sends <paramref name="message"/> every <paramref name="interval"/>, first after <paramref name="initialDelay"/> (default: one interval).</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval, TimeSpan? initialDelay = null);

    /// <summary>Whether a timer with this key is pending.</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels a timer; a message it already enqueued is not delivered.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer (done for you when the actor stops or restarts).</summary>
    void CancelAll();
}

/// <summary>
/// Timers of one actor, used only on the actor's turn. Each start gets a generation number that
/// travels with its messages, so a message from a cancelled or replaced timer is dropped on arrival.
/// </summary>
internal sealed class TimerScheduler(IActorRef self) : ITimerScheduler
{
    internal sealed record TimerMessage(object Key, int Generation, object Message);

    private sealed record Entry(int Generation, Timer Timer, bool Repeat);

    private readonly Dictionary<object, Entry> timers = [];
    private int generation;

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, Timeout.InfiniteTimeSpan, repeat: false);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval, TimeSpan? initialDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, initialDelay ?? interval, interval, repeat: true);
    }

    private void Start(object key, object message, TimeSpan due, TimeSpan period, bool repeat)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var envelope = new TimerMessage(key, ++generation, message);
        var timer = new Timer(_ => self.Tell(envelope, self), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, period);
        timers[key] = new Entry(envelope.Generation, timer, repeat);
    }

    public bool IsTimerActive(object key) => timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (timers.Remove(key, out Entry? entry)) entry.Timer.Dispose();
    }

    public void CancelAll()
    {
        foreach (Entry e in timers.Values) e.Timer.Dispose();
        timers.Clear();
    }

    /// <summary>True when the message comes from the live timer of its key (a single timer then ends).</summary>
    public bool Accept(TimerMessage message)
    {
        if (!timers.TryGetValue(message.Key, out Entry? entry) || entry.Generation != message.Generation) return false;
        if (!entry.Repeat)
        {
            timers.Remove(message.Key);
            entry.Timer.Dispose();
        }
        return true;
    }
}
