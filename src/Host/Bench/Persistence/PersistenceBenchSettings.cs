using ActorRL.Models.Nn;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>What <c>actorrl bench persistence</c> measures, with the defaults it runs when no option is given.</summary>
/// <param name="Events">Events appended (and read back) per journal run.</param>
/// <param name="PayloadBytes">Size of each event's payload.</param>
/// <param name="Batch">Events per write in the batched run; the other run writes one event per call.</param>
/// <param name="Layers">Transformer blocks of the checkpointed model.</param>
/// <param name="Width">Embedding width of the checkpointed model.</param>
/// <param name="Rounds">Timed rounds of the checkpoint measurements (checkpoint and raw copy in turn, alternating which goes first).</param>
/// <param name="Postgres">Whether to start a throw-away PostgreSQL server and measure its journal.</param>
public sealed record PersistenceBenchSettings(
    int Events = 2000,
    int PayloadBytes = 200,
    int Batch = 32,
    int Layers = 6,
    int Width = 384,
    int Rounds = 5,
    bool Postgres = true)
{
    /// <summary>Byte-level vocabulary, as <c>actorrl bench model</c> uses.</summary>
    public const int VocabSize = 259;

    /// <summary>Learned positions of the checkpointed model.</summary>
    public const int ContextLength = 256;

    /// <summary>Attention heads: 64 dimensions each where the width allows it, else one head.</summary>
    public int Heads => Width % 64 == 0 ? Width / 64 : 1;

    /// <summary>The checkpointed model: the default is <c>actorrl bench model</c>'s ~10.8M-parameter GPT.</summary>
    public GptConfig Model => new GptConfig(VocabSize, ContextLength, Layers, Heads, Width).Validate();
}
