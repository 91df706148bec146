using ActorRL.Models.Tensors;

namespace ActorRL.Models.Nn;

/// <summary>
/// The policy: a GPT-2 style language model whose output projection is tied to the token embedding,
/// optionally with a value head sharing the trunk (the PPO critic on a shared trunk).
/// </summary>
public sealed class CausalLM : Module
{
    /// <summary>Creates the model; <paramref name="withValueHead"/> adds <c>value_head</c> on the shared trunk.</summary>
    public CausalLM(GptConfig config, bool withValueHead = false)
    {
        Transformer = Submodule("transformer", new GptTrunk(config));
        ValueHead = withValueHead ? Submodule("value_head", new ValueHead(config.Width)) : null;
    }

    /// <summary>The model's size.</summary>
    public GptConfig Config => Transformer.Config;

    /// <summary>The shared body.</summary>
    public GptTrunk Transformer { get; }

    /// <summary>The value head on the shared trunk, or null.</summary>
    public ValueHead? ValueHead { get; }

    /// <summary>Next-token logits [B, T, vocab] (see <see cref="GptTrunk.Forward"/> for the arguments).</summary>
    public Tensor Forward(Tensor ids, Tensor? attentionMask = null, KvCache? cache = null) =>
        Transformer.Forward(ids, attentionMask, cache).Linear(Transformer.TokenEmbedding);

    /// <summary>Logits [B, T, vocab] and values [B, T] from one pass of the shared trunk.</summary>
    public (Tensor Logits, Tensor Values) ForwardWithValues(Tensor ids, Tensor? attentionMask = null)
    {
        ValueHead head = ValueHead ?? throw new InvalidOperationException("this model was created without a value head");
        Tensor hidden = Transformer.Forward(ids, attentionMask);
        return (hidden.Linear(Transformer.TokenEmbedding), head.Forward(hidden));
    }
}

/// <summary>The PPO critic on its own trunk: a value per token.</summary>
public sealed class ValueModel : Module
{
    private readonly GptTrunk transformer;
    private readonly ValueHead head;

    /// <summary>Creates the model.</summary>
    public ValueModel(GptConfig config)
    {
        transformer = Submodule("transformer", new GptTrunk(config));
        head = Submodule("value_head", new ValueHead(config.Width));
    }

    /// <summary>The model's size.</summary>
    public GptConfig Config => transformer.Config;

    /// <summary>Values [B, T].</summary>
    public Tensor Forward(Tensor ids, Tensor? attentionMask = null) => head.Forward(transformer.Forward(ids, attentionMask));
}

/// <summary>A reward model: the trunk plus a scalar head read at each sequence's last real token.</summary>
public sealed class RewardModel : Module
{
    private readonly GptTrunk transformer;
    private readonly Linear score;

    /// <summary>Creates the model.</summary>
    public RewardModel(GptConfig config)
    {
        transformer = Submodule("transformer", new GptTrunk(config));
        score = Submodule("score", new Linear(config.Width, 1));
    }

    /// <summary>The model's size.</summary>
    public GptConfig Config => transformer.Config;

    /// <summary>Rewards [B] for token ids [B, T]; with a mask, at the last position whose mask is 1 (left or right padding).</summary>
    public Tensor Forward(Tensor ids, Tensor? attentionMask = null)
    {
        Tensor hidden = transformer.Forward(ids, attentionMask);
        long b = ids.Size(0), t = ids.Size(1);
        Tensor last;
        if (attentionMask is null)
        {
            last = Torch.Full([b], t - 1, ScalarType.Int64, ids.Device);
        }
        else
        {
            Tensor mask = attentionMask.DType == ScalarType.Int64 ? attentionMask : attentionMask.To(ScalarType.Int64);
            last = (mask * Torch.Arange(t, ScalarType.Int64, ids.Device)).Max(1).Values;
        }
        Tensor index = last.View(b, 1, 1).Expand(b, 1, hidden.Size(2));
        return score.Forward(hidden.Gather(1, index).Squeeze(1)).Squeeze(-1);
    }
}
