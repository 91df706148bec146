using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests;

/// <summary>Assertions on tensor values.</summary>
internal static class TensorAssert
{
    /// <summary>Asserts that the float32 tensor holds <paramref name="expected"/> elementwise within <paramref name="tolerance"/>.</summary>
    public static void Near(double[] expected, Tensor actual, double tolerance)
    {
        float[] values = actual.ToArray<float>();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance, $"[{i}] {values[i]} != {expected[i]} (tolerance {tolerance:E0})");
        }
    }
}
