using System.Globalization;
using System.Net;
using System.Text;

namespace Me3.Host.Reporting;

/// <summary>
/// Horizontal bar charts as inline SVG, drawn by hand so a page needs no script and no download (the HTML report and
/// the dashboard draw with it). Every bar carries its label and its number as text, and leaders are marked with a word,
/// so the chart reads without colour; its <c>aria-label</c> says the same for screen readers. Each chart comes in two
/// layouts, chosen by CSS: wide (label beside the bar) and narrow (label above it) for phones.
/// </summary>
internal static class SvgBarChart
{
    private const int Top = 8;
    private static readonly Layout WideLayout = new("wide", Width: WideWidth, Row: 32, BarX: 190, BarSpace: 380, BarTop: 0, BarHeight: 24, MaxLabel: 26, LabelAbove: false);
    private static readonly Layout NarrowLayout = new("narrow", Width: 340, Row: 46, BarX: 0, BarSpace: 215, BarTop: 22, BarHeight: 18, MaxLabel: 40, LabelAbove: true);

    /// <summary>One bar: its label, its value, whether it leads, and a word or two written after the value.</summary>
    public sealed record Bar(string Label, long Value, bool Highlight = false, string? Note = null);

    /// <summary>The wide layout's width in SVG units: text is 14 units high, so a chart shown this many pixels wide
    /// has 14 px text.</summary>
    public const int WideWidth = 680;

    /// <summary>One bar per value, longest first as given, in both layouts.</summary>
    /// <param name="title">What the chart shows.</param>
    /// <param name="bars">The bars.</param>
    /// <param name="cssClass">A class for the chart.</param>
    /// <param name="wideWidth">The wide layout's width: about the width it will be shown at (a half-width card
    /// wants less than a full-width one, or its text shrinks).</param>
    public static string Render(string title, IReadOnlyList<Bar> bars, string cssClass, int wideWidth = WideWidth)
    {
        var description = bars.Count == 0
            ? $"{title}: no data yet"
            : $"{title}: " + string.Join(", ", bars.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Label} {b.Value:N0}{(b.Note is null ? "" : " " + b.Note)}")));
        var wide = WideLayout with { Width = wideWidth, BarSpace = WideLayout.BarSpace - (WideWidth - wideWidth) };
        return Draw(title, description, bars, cssClass, wide) + Draw(title, description, bars, cssClass, NarrowLayout);
    }

    /// <summary>One bar split into labelled shares (a 100% stacked bar), with each share's label and percentage
    /// written in or under it, in both layouts.</summary>
    /// <param name="title">What the chart shows.</param>
    /// <param name="parts">The shares.</param>
    /// <param name="wideWidth">The wide layout's width (see <see cref="Render"/>).</param>
    public static string Split(string title, IReadOnlyList<(string Label, long Value, string CssClass)> parts, int wideWidth = WideWidth)
    {
        var total = Math.Max(1, parts.Sum(p => p.Value));
        var shown = parts.Where(p => p.Value > 0).ToArray();
        var description = shown.Length == 0
            ? $"{title}: no data yet"
            : $"{title}: " + string.Join(", ", shown.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Label} {p.Value:N0} ({100.0 * p.Value / total:F1}%)")));
        return Split(title, description, shown, total, WideLayout with { Width = wideWidth }) + Split(title, description, shown, total, NarrowLayout);
    }

    private static string Draw(string title, string description, IReadOnlyList<Bar> bars, string cssClass, Layout layout)
    {
        var height = Math.Max(1, bars.Count) * layout.Row + Top;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var svg = Open(title, description, $"{layout.Name} {cssClass}", layout.Width, height);
        if (bars.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{layout.BarX}\" y=\"24\" class=\"empty\">no data yet</text>");
        }

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var row = (layout.LabelAbove ? 0 : Top) + i * layout.Row;
            var barY = row + layout.BarTop;
            var textY = barY + layout.BarHeight * 0.7;
            var length = Math.Max(2.0, layout.BarSpace * (double)bar.Value / max);
            var label = Text(Short(bar.Label, layout.MaxLabel));
            var note = bar.Note is null ? "" : " " + Text(bar.Note);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"bar{(bar.Highlight ? " leader" : "")}\"><title>{Text(bar.Label)}: {bar.Value:N0}</title>");
            svg.Append(layout.LabelAbove
                ? string.Create(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"0\" y=\"{row + 16}\">{label}</text>")
                : string.Create(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{layout.BarX - 8}\" y=\"{textY:F1}\" text-anchor=\"end\">{label}</text>"));
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{layout.BarX}\" y=\"{barY}\" width=\"{length:F1}\" height=\"{layout.BarHeight}\" rx=\"3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{layout.BarX + length + 6:F1}\" y=\"{textY:F1}\">{bar.Value:N0}{note}</text></g>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Split(string title, string description, (string Label, long Value, string CssClass)[] parts, long total, Layout layout)
    {
        var svg = Open(title, description, $"{layout.Name} split", layout.Width, 92);
        if (parts.Length == 0)
        {
            svg.Append("<text x=\"0\" y=\"24\" class=\"empty\">no data yet</text>");
        }

        double x = 0;
        foreach (var (label, value, css) in parts)
        {
            var shareWidth = layout.Width * (double)value / total;
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

    private static StringBuilder Open(string title, string description, string cssClass, int width, int height) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart {cssClass}\" role=\"img\" aria-label=\"{Text(description)}\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\"><title>{Text(title)}</title>");

    private static string Short(string label, int max) => label.Length > max ? label[..(max - 1)] + "…" : label;

    private static string Text(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Where a layout puts things: rows of <paramref name="Row"/> pixels, bars from <paramref name="BarX"/>
    /// at most <paramref name="BarSpace"/> long, the label beside the bar or above it.</summary>
    private sealed record Layout(string Name, int Width, int Row, int BarX, int BarSpace, int BarTop, int BarHeight, int MaxLabel, bool LabelAbove);
}
