using System.Globalization;
using System.Xml.Linq;
using ActorRL.Host.Reports;

namespace ActorRL.Host.Tests.Reports;

public class SvgLinePlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // Parses the text as a file would be read back, so escaping mistakes fail here.
    private static XElement Render(string title, double[] x, double[] y) =>
        XDocument.Parse(SvgLinePlot.Render(title, "step", "value", x, y).ToString()).Root!;

    private static IEnumerable<XElement> OfClass(XElement root, string cls) =>
        root.Descendants().Where(e => (string?)e.Attribute("class") == cls);

    private static List<(double X, double Y)> Points(XElement polyline) =>
        ((string)polyline.Attribute("points")!).Split(' ').Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public void OnePointPerValueInsideThePlotAreaAndTicksSpanTheData()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] y = [0.25, -1.5, 3.75, 2, 0.125, 1];
        var svg = Render("reward_mean", x, y);

        var area = OfClass(svg, "plot-area").Single();
        var left = (double)area.Attribute("x")!;
        var top = (double)area.Attribute("y")!;
        var right = left + (double)area.Attribute("width")!;
        var bottom = top + (double)area.Attribute("height")!;
        Assert.True(left > 0 && top > 0 && right < (double)svg.Attribute("width")! && bottom < (double)svg.Attribute("height")!);

        var points = Points(OfClass(svg, "series").Single());
        Assert.Equal(6, points.Count);
        Assert.All(points, p => Assert.InRange(p.X, left, right));
        Assert.All(points, p => Assert.InRange(p.Y, top, bottom));
        // Extremes touch the edges: the highest value at the top, the lowest at the bottom, in y's pixel order.
        Assert.Equal(left, points[0].X, 2);
        Assert.Equal(right, points[5].X, 2);
        Assert.Equal(bottom, points[1].Y, 2);
        Assert.Equal(top, points[2].Y, 2);

        var yTicks = OfClass(svg, "y-tick").Select(t => t.Value).ToList();
        var xTicks = OfClass(svg, "x-tick").Select(t => t.Value).ToList();
        Assert.Equal("-1.5", yTicks[0]);
        Assert.Equal("3.75", yTicks[^1]);
        Assert.Equal("1", xTicks[0]);
        Assert.Equal("6", xTicks[^1]);
        Assert.Equal("reward_mean", OfClass(svg, "title").Single().Value);
    }

    [Fact]
    public void NaNSplitsTheLine()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7];
        double[] y = [1, 2, double.NaN, 3, 4, double.PositiveInfinity, 5];
        var svg = Render("kl", x, y);

        var lines = OfClass(svg, "series").Select(Points).ToList();
        Assert.Equal([2, 2, 1], lines.Select(l => l.Count));
        Assert.Single(OfClass(svg, "point"));
        Assert.Equal("1", OfClass(svg, "y-tick").First().Value);
        Assert.Equal("5", OfClass(svg, "y-tick").Last().Value);
    }

    [Fact]
    public void SinglePointAndConstantSeriesSitInTheMiddle()
    {
        var single = Render("one", [7], [0.5]);
        var p = Points(OfClass(single, "series").Single()).Single();
        Assert.Equal((SvgLinePlot.Left + SvgLinePlot.Right) / 2, p.X, 2);
        Assert.Equal((SvgLinePlot.Top + SvgLinePlot.Bottom) / 2, p.Y, 2);
        Assert.Equal(["0.5"], OfClass(single, "y-tick").Select(t => t.Value));
        Assert.Equal(["7"], OfClass(single, "x-tick").Select(t => t.Value));

        var constant = Render("flat", [1, 2, 3], [2, 2, 2]);
        var points = Points(OfClass(constant, "series").Single());
        Assert.Equal(3, points.Count);
        Assert.All(points, q => Assert.Equal((SvgLinePlot.Top + SvgLinePlot.Bottom) / 2, q.Y, 2));
        Assert.Equal(["2"], OfClass(constant, "y-tick").Select(t => t.Value));
    }

    [Fact]
    public void AllNaNDrawsNoLine()
    {
        var svg = Render("none", [1, 2], [double.NaN, double.NaN]);
        Assert.Empty(OfClass(svg, "series"));
        Assert.Equal("no data", OfClass(svg, "empty").Single().Value);
    }

    [Fact]
    public void XmlSpecialCharactersAreEscaped()
    {
        const string title = "a < b & \"c\" > 'd'";
        var text = SvgLinePlot.Render(title, "step", "<y>", [1, 2], [1, 2]).ToString();
        Assert.DoesNotContain("a < b", text, StringComparison.Ordinal);
        Assert.Contains("a &lt; b &amp;", text, StringComparison.Ordinal);
        var svg = XDocument.Parse(text).Root!;
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal(title, OfClass(svg, "title").Single().Value);
        Assert.Equal("<y>", OfClass(svg, "y-label").Single().Value);
    }
}
