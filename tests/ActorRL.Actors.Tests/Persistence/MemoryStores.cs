using ActorRL.Actors.Persistence;

namespace ActorRL.Actors.Tests.Persistence;

/// <summary>
/// An in-memory <see cref="IJournal"/> that keeps the contract of the SQL ones: atomic batches, a unique
/// (persistence id, sequence number) with <see cref="JournalConcurrencyException"/>, a highest sequence number that
/// survives deletions. Tests can hold writes or reads at a gate, inject one failing write, and see every batch.
/// </summary>
public sealed class MemoryJournal : IJournal
{
    private readonly Lock sync = new();
    private readonly Dictionary<string, SortedDictionary<long, PersistentRepr>> events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> highest = new(StringComparer.Ordinal);
    private readonly List<IReadOnlyList<PersistentRepr>> batches = [];
    private readonly List<(string Id, long From, long To)> reads = [];
    private Exception? failNextWrite;

    /// <summary>Awaited by every write before it touches the store (a slow disk).</summary>
    public Func<Task>? WriteGate { get; set; }

    /// <summary>Awaited by every read and highest-sequence-number query (a slow recovery).</summary>
    public Func<Task>? ReadGate { get; set; }

    /// <summary>The batches written so far, in order.</summary>
    public IReadOnlyList<IReadOnlyList<PersistentRepr>> Batches
    {
        get
        {
            lock (sync) return [.. batches];
        }
    }

    /// <summary>The ranges read so far.</summary>
    public IReadOnlyList<(string Id, long From, long To)> Reads
    {
        get
        {
            lock (sync) return [.. reads];
        }
    }

    /// <summary>The next write throws <paramref name="failure"/> and writes nothing.</summary>
    public void FailNextWrite(Exception failure)
    {
        lock (sync) failNextWrite = failure;
    }

    /// <summary>The sequence numbers stored now for <paramref name="persistenceId"/>.</summary>
    public long[] Stored(string persistenceId)
    {
        lock (sync) return events.TryGetValue(persistenceId, out var stored) ? [.. stored.Keys] : [];
    }

    /// <inheritdoc/>
    public async Task WriteAsync(IReadOnlyList<PersistentRepr> events, CancellationToken cancellationToken = default)
    {
        if (WriteGate is { } gate) await gate();
        lock (sync)
        {
            if (failNextWrite is { } failure)
            {
                failNextWrite = null;
                throw failure;
            }
            var seen = new HashSet<(string, long)>();
            foreach (PersistentRepr e in events)
            {
                bool stored = this.events.TryGetValue(e.PersistenceId, out var existing) && existing.ContainsKey(e.SequenceNr);
                if (stored || !seen.Add((e.PersistenceId, e.SequenceNr)))
                {
                    throw new JournalConcurrencyException($"event {e.SequenceNr} of '{e.PersistenceId}' is already stored");
                }
            }
            foreach (PersistentRepr e in events)
            {
                if (!this.events.TryGetValue(e.PersistenceId, out var stored)) this.events[e.PersistenceId] = stored = [];
                stored[e.SequenceNr] = e;
                highest[e.PersistenceId] = Math.Max(highest.GetValueOrDefault(e.PersistenceId), e.SequenceNr);
            }
            batches.Add([.. events]);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PersistentRepr>> ReadAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        if (ReadGate is { } gate) await gate();
        lock (sync)
        {
            reads.Add((persistenceId, fromSequenceNr, toSequenceNr));
            return events.TryGetValue(persistenceId, out var stored)
                ? [.. stored.Values.Where(e => e.SequenceNr >= fromSequenceNr && e.SequenceNr <= toSequenceNr)]
                : [];
        }
    }

    /// <inheritdoc/>
    public async Task<long> HighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        if (ReadGate is { } gate) await gate();
        lock (sync) return highest.GetValueOrDefault(persistenceId);
    }

    /// <inheritdoc/>
    public Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            if (events.TryGetValue(persistenceId, out var stored))
            {
                foreach (long n in stored.Keys.Where(n => n <= toSequenceNr).ToList()) stored.Remove(n);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>An in-memory <see cref="ISnapshotStore"/>: one snapshot per (id, sequence number), latest by number.</summary>
public sealed class MemorySnapshotStore : ISnapshotStore
{
    private readonly Lock sync = new();
    private readonly Dictionary<string, SortedDictionary<long, SnapshotRecord>> snapshots = new(StringComparer.Ordinal);

    /// <summary>The sequence numbers of the snapshots stored now for <paramref name="persistenceId"/>.</summary>
    public long[] Stored(string persistenceId)
    {
        lock (sync) return snapshots.TryGetValue(persistenceId, out var stored) ? [.. stored.Keys] : [];
    }

    /// <inheritdoc/>
    public Task SaveAsync(SnapshotRecord snapshot, CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            if (!snapshots.TryGetValue(snapshot.PersistenceId, out var stored)) snapshots[snapshot.PersistenceId] = stored = [];
            stored[snapshot.SequenceNr] = snapshot;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<SnapshotRecord?> LoadLatestAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            return Task.FromResult(snapshots.TryGetValue(persistenceId, out var stored) && stored.Count > 0 ? stored.Values.Last() : null);
        }
    }

    /// <inheritdoc/>
    public Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            if (snapshots.TryGetValue(persistenceId, out var stored))
            {
                foreach (long n in stored.Keys.Where(n => n <= toSequenceNr).ToList()) stored.Remove(n);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
