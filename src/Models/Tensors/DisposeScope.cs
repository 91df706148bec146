namespace ActorRL.Models.Tensors;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope
/// (results and intermediates alike), except those moved out with <see cref="MoveToOuter"/>.
/// Scopes nest; they are per thread, so open and close one within a synchronous section.
/// </summary>
/// <example><code>
/// using (var scope = new DisposeScope())
/// {
///     var loss = model.Loss(batch);   // dozens of intermediates
///     loss.Backward();
///     lossValue = loss.ToDouble();
/// }                                   // all of them freed here
/// </code></example>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly DisposeScope? outer;
    private readonly List<Tensor> tensors = [];
    private bool disposed;

    /// <summary>Opens a scope that becomes the innermost one on this thread.</summary>
    public DisposeScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>The innermost open scope on this thread, if any.</summary>
    public static DisposeScope? Current => current;

    /// <summary>How many tensors this scope will free.</summary>
    public int Count => tensors.Count;

    internal static void Register(Tensor tensor) => current?.tensors.Add(tensor);

    /// <summary>
    /// Hands <paramref name="tensor"/> to the enclosing scope (or to no scope at all, making the
    /// caller responsible for it) so that it survives this one.
    /// </summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int i = tensors.LastIndexOf(tensor);
        if (i < 0) throw new InvalidOperationException("the tensor does not belong to this scope");
        tensors.RemoveAt(i);
        outer?.tensors.Add(tensor);
        return tensor;
    }

    /// <summary>Takes <paramref name="tensor"/> out of this scope if it is registered here: a long-lived
    /// tensor (a module parameter) whose owner disposes it.</summary>
    internal void Release(Tensor tensor)
    {
        int i = tensors.LastIndexOf(tensor);
        if (i >= 0) tensors.RemoveAt(i);
    }

    /// <summary>Frees the scope's tensors and makes the enclosing scope current again.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (current != this)
        {
            throw new InvalidOperationException("dispose scopes must be closed innermost first, on the thread that opened them");
        }
        disposed = true;
        current = outer;
        foreach (Tensor t in tensors) t.Dispose();
        tensors.Clear();
    }
}
