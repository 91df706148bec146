using System.Globalization;
using System.Xml.Linq;

namespace ActorRL.Host.Reports;

/// <summary>
/// A small SVG line plot of one series: title, axes with five ticks each, axis labels, and one
/// <c>polyline</c> per run of finite values (NaN and infinities leave a gap). Ticks run from the
/// data's minimum to its maximum, labelled with the values' general format to four significant
/// digits (<c>"G4"</c>), so the ends of each axis read the data's range. A constant axis has one tick,
/// at the middle; a run of one point is drawn as a dot.
/// </summary>
/// <remarks>
/// Elements carry classes for whoever reads the file back: <c>plot-area</c> (the rectangle the
/// data is drawn in), <c>series</c> (polylines), <c>point</c> (dots), <c>x-tick</c>/<c>y-tick</c>
/// (tick labels), <c>title</c>, <c>x-label</c>, <c>y-label</c>.
/// </remarks>
public static class SvgLinePlot
{
    /// <summary>The SVG namespace.</summary>
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Image width in pixels.</summary>
    public const double Width = 640;
    /// <summary>Image height in pixels.</summary>
    public const double Height = 400;
    /// <summary>Left edge of the plot area.</summary>
    public const double Left = 72;
    /// <summary>Right edge of the plot area.</summary>
    public const double Right = 620;
    /// <summary>Top edge of the plot area.</summary>
    public const double Top = 40;
    /// <summary>Bottom edge of the plot area.</summary>
    public const double Bottom = 340;

    private const int Ticks = 5;

    /// <summary>Draws <paramref name="y"/> against <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">The series differ in length.</exception>
    public static XDocument Render(string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"{x.Count} x values for {y.Count} y values.", nameof(y));
        }

        var finite = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToList();
        var root = new XElement(Svg + "svg",
            new XAttribute("width", Number(Width)),
            new XAttribute("height", Number(Height)),
            new XAttribute("viewBox", $"0 0 {Number(Width)} {Number(Height)}"),
            new XAttribute("font-family", "sans-serif"),
            new XAttribute("font-size", "12"),
            new XElement(Svg + "rect", Class("background"), new XAttribute("width", Number(Width)), new XAttribute("height", Number(Height)), new XAttribute("fill", "white")),
            new XElement(Svg + "rect", Class("plot-area"),
                new XAttribute("x", Number(Left)), new XAttribute("y", Number(Top)),
                new XAttribute("width", Number(Right - Left)), new XAttribute("height", Number(Bottom - Top)),
                new XAttribute("fill", "none"), new XAttribute("stroke", "#444")),
            Text("title", Width / 2, 24, title, "middle", "font-size", "16"),
            Text("x-label", (Left + Right) / 2, Height - 12, xLabel, "middle"),
            new XElement(Svg + "text", Class("y-label"), new XAttribute("x", "0"), new XAttribute("y", "0"),
                new XAttribute("text-anchor", "middle"),
                new XAttribute("transform", $"translate(16 {Number((Top + Bottom) / 2)}) rotate(-90)"), yLabel));

        if (finite.Count == 0)
        {
            root.Add(Text("empty", (Left + Right) / 2, (Top + Bottom) / 2, "no data", "middle"));
            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        var xAxis = new Axis(finite.Min(i => x[i]), finite.Max(i => x[i]), Left, Right);
        var yAxis = new Axis(finite.Min(i => y[i]), finite.Max(i => y[i]), Bottom, Top);
        foreach (var value in xAxis.TickValues())
        {
            var px = xAxis.Map(value);
            root.Add(Line(px, Bottom, px, Bottom + 5), Text("x-tick", px, Bottom + 18, Tick(value), "middle"));
        }

        foreach (var value in yAxis.TickValues())
        {
            var py = yAxis.Map(value);
            root.Add(Line(Left - 5, py, Left, py), Text("y-tick", Left - 8, py + 4, Tick(value), "end"));
        }

        foreach (var run in Runs(finite))
        {
            if (run.Count == 1)
            {
                root.Add(new XElement(Svg + "circle", Class("point"),
                    new XAttribute("cx", Number(xAxis.Map(x[run[0]]))), new XAttribute("cy", Number(yAxis.Map(y[run[0]]))),
                    new XAttribute("r", "2.5"), new XAttribute("fill", "#1f77b4")));
            }

            root.Add(new XElement(Svg + "polyline", Class("series"),
                new XAttribute("points", string.Join(" ", run.Select(i => $"{Number(xAxis.Map(x[i]))},{Number(yAxis.Map(y[i]))}"))),
                new XAttribute("fill", "none"), new XAttribute("stroke", "#1f77b4"), new XAttribute("stroke-width", "1.5")));
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>Renders and writes the plot to <paramref name="path"/>.</summary>
    public static void Write(string path, string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<double> y) =>
        Render(title, xLabel, yLabel, x, y).Save(path);

    // Consecutive indices form a run; a skipped index (a non-finite value) ends it.
    private static IEnumerable<List<int>> Runs(List<int> finite)
    {
        var run = new List<int>();
        foreach (var i in finite)
        {
            if (run.Count > 0 && i != run[^1] + 1)
            {
                yield return run;
                run = [];
            }

            run.Add(i);
        }

        yield return run;
    }

    private static XAttribute Class(string name) => new("class", name);

    private static XElement Text(string cls, double x, double y, string text, string anchor, params string[] extra)
    {
        var element = new XElement(Svg + "text", Class(cls), new XAttribute("x", Number(x)), new XAttribute("y", Number(y)), new XAttribute("text-anchor", anchor), text);
        for (var i = 0; i + 1 < extra.Length; i += 2)
        {
            element.Add(new XAttribute(extra[i], extra[i + 1]));
        }

        return element;
    }

    private static XElement Line(double x1, double y1, double x2, double y2) =>
        new(Svg + "line", new XAttribute("x1", Number(x1)), new XAttribute("y1", Number(y1)),
            new XAttribute("x2", Number(x2)), new XAttribute("y2", Number(y2)), new XAttribute("stroke", "#444"));

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Tick(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    // Maps data [Min, Max] onto pixels [From, To]; a constant axis maps to the middle.
    private readonly record struct Axis(double Min, double Max, double From, double To)
    {
        public double Map(double value) =>
            Max == Min ? (From + To) / 2 : From + ((value - Min) / (Max - Min) * (To - From));

        public IEnumerable<double> TickValues()
        {
            if (Max == Min)
            {
                yield return Min;
                yield break;
            }

            for (var k = 0; k < Ticks; k++)
            {
                yield return k == Ticks - 1 ? Max : Min + ((Max - Min) * k / (Ticks - 1));
            }
        }
    }
}
