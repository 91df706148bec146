using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ActorRL.Models.Tests;

/// <summary>
/// Runs a reference script from Reference/ with Debian's PyTorch (python3-torch) and returns its
/// JSON answer. Inputs travel as JSON numbers: float32 values are widened to double first so that
/// PyTorch reads back exactly the same float32 bits.
/// </summary>
internal static class PyTorchReference
{
    private const string Python = "/usr/bin/python3";

    public static JsonNode Run(string script, JsonObject input)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", script);
        var psi = new ProcessStartInfo(Python, [path])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{Python} is needed for reference tests: apt-get install -y python3-torch python3-numpy", e);
        }
        using (process)
        {
            process.StandardInput.Write(input.ToJsonString());
            process.StandardInput.Close();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{script} failed (exit {process.ExitCode}); is python3-torch installed?\n{stderr.Result}");
            }
            return JsonNode.Parse(stdout) ?? throw new InvalidOperationException($"{script} printed no JSON");
        }
    }

    public static JsonArray Json(ReadOnlySpan<float> values)
    {
        var array = new JsonArray();
        foreach (float v in values) array.Add((double)v);
        return array;
    }

    public static JsonArray Json(ReadOnlySpan<long> values)
    {
        var array = new JsonArray();
        foreach (long v in values) array.Add(v);
        return array;
    }

    public static double[] Doubles(JsonNode? node) =>
        node?.AsArray().Select(n => n!.GetValue<double>()).ToArray() ?? throw new InvalidOperationException("missing array");

    /// <summary>Asserts elementwise |actual - expected| &lt;= tolerance, naming the first bad index.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= tolerance, $"{what}[{i}]: {actual[i]} vs PyTorch {expected[i]} (|diff| {diff:E2} > {tolerance:E0})");
            worst = Math.Max(worst, diff);
        }
    }

}
