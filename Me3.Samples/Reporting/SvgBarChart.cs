using System.Globalization;
using System.Net;
using System.Text;

namespace Me3.Samples.Reporting;

/// <summary>
/// Horizontal bar charts as inline SVG, drawn by hand so a report needs no script and no download. Every bar carries
/// its label and its number as text, and leaders are marked with a word, so the chart reads without colour. Each chart
/// comes in two layouts, chosen by CSS: wide (label beside the bar) and narrow (label above it) for phones.
/// </summary>
internal static class SvgBarChart
{
    private const int Width = 680;
    private const int NarrowWidth = 340;
    private const int LabelWidth = 190;
    private const int ValueWidth = 110;
    private const int BarHeight = 24;
    private const int Gap = 8;

    public sealed record Bar(string Label, long Value, bool Highlight = false, string? Note = null);

    /// <summary>One bar per value, longest first as given, in both layouts.</summary>
    public static string Render(string title, IReadOnlyList<Bar> bars, string cssClass) =>
        Wide(title, bars, cssClass) + Narrow(title, bars, cssClass);

    private static string Narrow(string title, IReadOnlyList<Bar> bars, string cssClass)
    {
        const int row = 46;
        var height = Math.Max(1, bars.Count) * row + Gap;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart narrow {cssClass}\" role=\"img\" aria-label=\"{Attr(title)}\" viewBox=\"0 0 {NarrowWidth} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Text(title)}</title>");
        if (bars.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{BarHeight}\" class=\"empty\">no data yet</text>");
        }

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = i * row;
            var length = Math.Max(2.0, (NarrowWidth - 125) * (double)bar.Value / max);
            var note = bar.Note is null ? "" : " " + Text(bar.Note);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"bar{(bar.Highlight ? " leader" : "")}\"><title>{Text(bar.Label)}: {bar.Value:N0}</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"0\" y=\"{y + 16}\">{Text(Short(bar.Label, 40))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"{y + 22}\" width=\"{length:F1}\" height=\"18\" rx=\"3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{length + 5:F1}\" y=\"{y + 36}\">{bar.Value:N0}{note}</text></g>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Wide(string title, IReadOnlyList<Bar> bars, string cssClass)
    {
        var height = Math.Max(1, bars.Count) * (BarHeight + Gap) + Gap;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart wide {cssClass}\" role=\"img\" aria-label=\"{Attr(title)}\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Text(title)}</title>");
        if (bars.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth}\" y=\"{BarHeight}\" class=\"empty\">no data yet</text>");
        }

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = Gap + i * (BarHeight + Gap);
            var length = Math.Max(2.0, (Width - LabelWidth - ValueWidth) * (double)bar.Value / max);
            var label = Short(bar.Label, 26);
            var note = bar.Note is null ? "" : " " + Text(bar.Note);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"bar{(bar.Highlight ? " leader" : "")}\"><title>{Text(bar.Label)}: {bar.Value:N0}</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{LabelWidth - 8}\" y=\"{y + BarHeight * 0.7:F1}\" text-anchor=\"end\">{Text(label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{length:F1}\" height=\"{BarHeight}\" rx=\"3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{LabelWidth + length + 6:F1}\" y=\"{y + BarHeight * 0.7:F1}\">{bar.Value:N0}{note}</text></g>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>One bar split into labelled shares (a 100% stacked bar), with each share's label and percentage
    /// written in or under it, in both layouts.</summary>
    public static string Split(string title, IReadOnlyList<(string Label, long Value, string CssClass)> parts) =>
        Split(title, parts, Width, "wide") + Split(title, parts, NarrowWidth, "narrow");

    private static string Split(string title, IReadOnlyList<(string Label, long Value, string CssClass)> parts, int width, string layout)
    {
        const int height = 92;
        var total = Math.Max(1, parts.Sum(p => p.Value));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart {layout} split\" role=\"img\" aria-label=\"{Attr(title)}\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Text(title)}</title>");
        double x = 0;
        foreach (var (label, value, css) in parts.Where(p => p.Value > 0))
        {
            var shareWidth = width * (double)value / total;
            var share = 100.0 * value / total;
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"share {css}\"><title>{Text(label)}: {value:N0} ({share:F1}%)</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:F1}\" y=\"4\" width=\"{shareWidth:F1}\" height=\"44\"/>");
            if (shareWidth > 90)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"inside\" x=\"{x + 8:F1}\" y=\"32\">{Text(label)} {share:F1}%</text>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"under\" x=\"{x + 2:F1}\" y=\"70\">{Text(label)}</text><text class=\"under n\" x=\"{x + 2:F1}\" y=\"86\">{value:N0}</text></g>");
            x += shareWidth;
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Short(string label, int max) => label.Length > max ? label[..(max - 1)] + "…" : label;

    private static string Text(string text) => WebUtility.HtmlEncode(text);

    private static string Attr(string text) => WebUtility.HtmlEncode(text);
}
