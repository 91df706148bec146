using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Checkpoints;

/// <summary>x W^T + b, initialised from the default generator.</summary>
internal sealed class TinyLinear : Module
{
    public TinyLinear(long inputs, long outputs, Device device)
    {
        using Tensor raw = Torch.Randn([outputs, inputs], device: device);
        Weight = Parameter("weight", raw.Mul(1.0 / Math.Sqrt(inputs)));
        Bias = Parameter("bias", Torch.Zeros([outputs], device: device));
    }

    public Tensor Weight { get; }

    public Tensor Bias { get; }

    public Tensor Forward(Tensor x) => x.Linear(Weight, Bias);
}

/// <summary>A two-layer regressor with dropout, so that training consumes random numbers.</summary>
internal sealed class TinyRegressor : Module
{
    public TinyRegressor(long inputs, long hidden, Device device)
    {
        Hidden = Submodule("hidden", new TinyLinear(inputs, hidden, device));
        Out = Submodule("out", new TinyLinear(hidden, 1, device));
    }

    public TinyLinear Hidden { get; }

    public TinyLinear Out { get; }

    public Tensor Forward(Tensor x)
    {
        using Tensor h = Hidden.Forward(x);
        using Tensor a = h.Relu();
        using Tensor d = a.Dropout(0.25, IsTraining);
        return Out.Forward(d);
    }
}
