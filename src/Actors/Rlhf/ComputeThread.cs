using System.Collections.Concurrent;
using ActorRL.Models.Tensors;

namespace ActorRL.Actors.Rlhf;

/// <summary>
/// A dedicated thread for one role's model compute. Generation and training take seconds; run on the thread pool they
/// would starve the mailboxes of every other actor, and libtorch's thread count is per calling thread, so a role keeps
/// its own thread for its whole life and awaits the work it hands over.
/// </summary>
internal sealed class ComputeThread : IDisposable
{
    private readonly BlockingCollection<Action> work = new();
    private readonly Thread thread;

    /// <summary>Starts the thread; <paramref name="torchThreads"/> &gt; 0 sets libtorch's intra-op threads on it.</summary>
    public ComputeThread(string name, int torchThreads)
    {
        thread = new Thread(() =>
        {
            if (torchThreads > 0) Torch.Threads = torchThreads;
            foreach (Action item in work.GetConsumingEnumerable()) item();
        })
        { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>Runs <paramref name="compute"/> on the thread; the task carries its result or exception.</summary>
    public Task<T> Run<T>(Func<T> compute)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Item()
        {
            try
            {
                done.SetResult(compute());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
        try
        {
            work.Add(Item);
        }
        catch (InvalidOperationException)
        {
            done.SetException(new ObjectDisposedException(thread.Name, "the role's compute thread has stopped"));
        }
        return done.Task;
    }

    /// <summary>Lets queued work finish, then ends the thread (without waiting for it: a hung computation must not hang the caller).</summary>
    public void Dispose() => work.CompleteAdding();
}
