namespace ActorRL.Models.Rlhf.Stages;

/// <summary>Batches that cycle through a stage's data: each pass in a fresh order drawn from the seed, so a stage is reproducible.</summary>
internal static class StageBatches
{
    /// <summary>Endless batches of <paramref name="batchSize"/> items; a batch may span the end of one pass and the start of the next.</summary>
    public static IEnumerable<List<T>> Cycle<T>(IReadOnlyList<T> items, int batchSize, int seed)
    {
        if (items.Count == 0) throw new ArgumentException("a stage needs data to train on", nameof(items));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var random = new Random(seed);
        int[] order = [.. Enumerable.Range(0, items.Count)];
        int cursor = order.Length;
        while (true)
        {
            var batch = new List<T>(batchSize);
            while (batch.Count < batchSize)
            {
                if (cursor == order.Length)
                {
                    random.Shuffle(order);
                    cursor = 0;
                }
                batch.Add(items[order[cursor++]]);
            }
            yield return batch;
        }
    }
}
