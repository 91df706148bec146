namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>The built-in tasks by config name.</summary>
public static class RlTasks
{
    /// <summary>The names <see cref="Create"/> knows: <c>arithmetic</c>, <c>reviews</c>, <c>preferences</c>.</summary>
    public static IReadOnlyCollection<string> Names { get; } = ["arithmetic", "reviews", "preferences"];

    /// <summary>The task named <paramref name="name"/>, its prompts fixed by <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">No task has that name.</exception>
    public static IRlTask Create(string name, int seed) => name switch
    {
        "arithmetic" => new ArithmeticRlTask(seed),
        "reviews" => new ReviewsRlTask(seed),
        "preferences" => new PreferencesRlTask(seed),
        _ => throw new ArgumentException($"unknown task '{name}'; the tasks are {string.Join(", ", Names)}", nameof(name)),
    };
}
