using System.CommandLine;
using System.Globalization;
using ActorRL.Host.Diagnostics;
using ActorRL.Host.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace ActorRL.Host.Cli;

/// <summary><c>actorrl doctor</c>: is libtorch set up well on this machine?</summary>
public static class DoctorCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var json = new Option<FileInfo?>("--json")
        {
            Description = "Also write the facts as JSON to FILE",
            HelpName = "FILE",
        };
        var command = new Command("doctor", "Check libtorch: version, BLAS in use, threads, CUDA, measured matrix-product speed")
        {
            json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandHost.RunAsync(parseResult, cancellationToken, async (services, token) =>
        {
            TorchOptions options = services.GetRequiredService<IOptions<TorchOptions>>().Value;
            // No live spinner: on a small machine its refreshes would compete with the product being timed.
            Terminal.Out.MarkupLine("[grey]measuring matrix products...[/]");
            DoctorReport report = DoctorReport.Collect(options);
            Render(report);
            if (parseResult.GetValue(json) is FileInfo file)
            {
                await JsonReport.WriteAsync(file, report, token);
                Terminal.Out.MarkupLine($"[grey]wrote {Markup.Escape(file.ToString())}[/]");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(DoctorReport r)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("actorrl doctor");
        table.AddColumn("check");
        table.AddColumn("found");
        table.AddRow("libtorch", Markup.Escape(r.LibtorchVersion));
        table.AddRow("BLAS (libtorch build config)", Markup.Escape(r.BlasBuildConfig switch
        {
            null => "not stated",
            // Debian builds against the generic libblas.so.3, which the alternatives system points at an implementation.
            "generic" => "generic (the system's libblas.so.3)",
            string blas => blas,
        }));
        table.AddRow("BLAS (loaded in process)", LoadedBlas(r.BlasLoaded));
        table.AddRow("intra-op threads", string.Create(CultureInfo.InvariantCulture, $"{r.Threads} (of {r.Machine.Cores} cores)"));
        table.AddRow("CPU", Markup.Escape($"{r.Machine.CpuModel}, {r.Machine.Cores} cores"));
        table.AddRow("OS", Markup.Escape(r.Machine.Os));
        table.AddRow(".NET", Markup.Escape(r.Machine.Runtime));
        table.AddRow("device (torch.device)", Markup.Escape(r.ConfiguredDevice));
        table.AddRow("CUDA", r.CudaAvailable
            ? $"available, {r.CudaDeviceCount} device(s)"
            : "not available");
        foreach (MatmulThroughput m in r.Matmul)
        {
            table.AddRow(
                Markup.Escape($"matmul {m.Size}x{m.Size} float32 on {m.Device}"),
                string.Create(CultureInfo.InvariantCulture, $"[bold]{m.Gflops:F1} GFLOP/s[/] (median {m.MedianMs:F2} ms of {m.Repetitions})"));
        }
        Terminal.Out.Write(table);
        foreach (string warning in r.Warnings)
        {
            Terminal.Out.MarkupLine($"[yellow]warning: {Markup.Escape(warning)}[/]");
        }
    }

    private static string LoadedBlas(IReadOnlyList<BlasLibrary> loaded)
    {
        if (loaded.Count == 0) return "[yellow]none found in /proc/self/maps[/]";
        return string.Join('\n', loaded.Select(lib =>
        {
            string name = lib.Kind switch
            {
                BlasKind.OpenBlas => "OpenBLAS",
                BlasKind.Reference => "[yellow]reference BLAS (slow)[/]",
                BlasKind.Mkl => "MKL",
                BlasKind.Blis => "BLIS",
                BlasKind.Atlas => "ATLAS",
                _ => "unrecognised",
            };
            string path = lib.ResolvedPath == lib.MappedPath
                ? lib.MappedPath
                : $"{lib.MappedPath} -> {lib.ResolvedPath}";
            return $"{name}: {Markup.Escape(path)}";
        }));
    }
}
