namespace ActorRL.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    /// <summary>A scalar minus each element.</summary>
    public static Tensor operator -(double a, Tensor b) => new(LibTorch.atr_rsub_scalar(b.Handle, a));
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Scales by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    /// <summary>Scales by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    /// <summary>A scalar divided by each element.</summary>
    public static Tensor operator /(double a, Tensor b) => new(LibTorch.atr_rdiv_scalar(b.Handle, a));
}
