using System.Text.RegularExpressions;

namespace ActorRL.Host.Diagnostics;

/// <summary>Which BLAS implementation a shared library is.</summary>
public enum BlasKind
{
    /// <summary>Not recognised from its path.</summary>
    Unknown,
    /// <summary>OpenBLAS: optimised, multi-threaded.</summary>
    OpenBlas,
    /// <summary>Netlib's reference BLAS: correct but tens of times slower than OpenBLAS.</summary>
    Reference,
    /// <summary>Intel MKL.</summary>
    Mkl,
    /// <summary>BLIS.</summary>
    Blis,
    /// <summary>ATLAS.</summary>
    Atlas,
}

/// <summary>A BLAS shared library mapped into this process.</summary>
/// <param name="MappedPath">The path in /proc/self/maps.</param>
/// <param name="ResolvedPath">The same file with every symbolic link resolved (Debian's libblas.so.3 is an alternatives link).</param>
/// <param name="Kind">The implementation, told from the resolved path.</param>
public sealed partial record BlasLibrary(string MappedPath, string ResolvedPath, BlasKind Kind)
{
    /// <summary>
    /// The BLAS libraries mapped into this process now (run a matrix product first, so that a
    /// lazily loaded BLAS is there); empty where /proc is not available.
    /// </summary>
    public static IReadOnlyList<BlasLibrary> Loaded()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/maps");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return lines
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is int i and >= 0 ? line[i..].Trim() : null)
            .OfType<string>()
            .Where(path => Path.GetFileName(path).Contains("blas", StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .Select(path =>
            {
                string resolved = Resolve(path);
                return new BlasLibrary(path, resolved, Classify(resolved));
            })
            .ToList();
    }

    /// <summary>The <c>BLAS_INFO</c> entry of libtorch's build configuration (e.g. <c>open</c>), or null.</summary>
    public static string? FromBuildConfig(string buildConfig)
    {
        ArgumentNullException.ThrowIfNull(buildConfig);
        Match m = BlasInfoPattern().Match(buildConfig);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>Tells the implementation from a library's path.</summary>
    public static BlasKind Classify(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string p = path.ToLowerInvariant();
        if (p.Contains("openblas", StringComparison.Ordinal)) return BlasKind.OpenBlas;
        if (p.Contains("mkl", StringComparison.Ordinal)) return BlasKind.Mkl;
        if (p.Contains("blis", StringComparison.Ordinal)) return BlasKind.Blis;
        if (p.Contains("atlas", StringComparison.Ordinal)) return BlasKind.Atlas;
        // Debian's libblas3 installs the reference implementation in .../blas/libblas.so.3.
        if (p.Contains("/blas/", StringComparison.Ordinal) || Path.GetFileName(p).StartsWith("libblas.so", StringComparison.Ordinal))
        {
            return BlasKind.Reference;
        }
        return BlasKind.Unknown;
    }

    private static string Resolve(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return path;
        }
    }

    [GeneratedRegex(@"BLAS_INFO=([^,\s]+)")]
    private static partial Regex BlasInfoPattern();
}
