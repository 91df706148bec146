using System.Collections.Concurrent;

namespace ActorRL.Host.Bench;

/// <summary>
/// One long-lived thread that runs the work given to it, in order. libtorch's OpenMP keeps a
/// thread team and its settings per calling thread, so in-process measurements must always come
/// from the same thread, as they do in a C++ or Python process; see <see cref="CSharpStepTimer"/>.
/// </summary>
public sealed class BenchThread : IDisposable
{
    private readonly BlockingCollection<Action> work = [];
    private readonly Thread thread;

    /// <summary>Starts the thread.</summary>
    public BenchThread(string name)
    {
        thread = new Thread(() =>
        {
            foreach (Action item in work.GetConsumingEnumerable()) item();
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
    }

    /// <summary>Runs <paramref name="function"/> on the thread; the task ends with its result or exception.</summary>
    public Task<T> RunAsync<T>(Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            try
            {
                completion.SetResult(function());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        });
        return completion.Task;
    }

    /// <summary>Lets the thread finish the work already given, then end.</summary>
    public void Dispose()
    {
        work.CompleteAdding();
        thread.Join();
        work.Dispose();
    }
}
