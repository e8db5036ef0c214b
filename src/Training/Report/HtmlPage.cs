using System.Net;
using System.Text;

namespace Mnist.Dsl.Training.Report;

/// <summary>
/// One self-contained HTML page: its styles inline, no script and nothing fetched, so a report opens offline from
/// the run folder, in any browser, as the file it is.
/// </summary>
internal sealed class HtmlPage
{
    private const string Style = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; max-width: 1500px; }
        h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #ccc; }
        .sub { color: #555; margin: 0 0 12px; }
        table { border-collapse: collapse; font-size: 13px; }
        th, td { padding: 3px 8px; border: 1px solid #ddd; text-align: right; }
        th { background: #f4f4f4; } td.l, th.l { text-align: left; }
        .flex { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
        table.confusion td { width: 38px; height: 26px; text-align: center; }
        table.confusion td.diagonal { font-weight: bold; }
        .bar { display: inline-block; height: 11px; background: #1f77b4; vertical-align: middle; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, 84px); gap: 8px; }
        figure { margin: 0; text-align: center; font-size: 12px; }
        figure img { width: 56px; height: 56px; image-rendering: pixelated; border: 1px solid #999; display: block; margin: 0 auto 2px; }
        .note { background: #fff6d8; border: 1px solid #e6c200; padding: 8px 12px; display: inline-block; }
        pre { font-size: 12px; background: #f7f7f7; padding: 8px; overflow-x: auto; }
        """;

    private readonly StringBuilder _body = new();

    public HtmlPage Append(string html)
    {
        _body.Append(html);
        return this;
    }

    public HtmlPage Section(string id, string title)
    {
        _body.Append($"<h2 id=\"{id}\">{Escape(title)}</h2>\n");
        return this;
    }

    public string Render(string title) =>
        $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
            $"<title>{Escape(title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n{_body}</body>\n</html>\n";

    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A table with a header row; <paramref name="leftColumns"/> first columns are left-aligned (names), the others numbers.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, int leftColumns = 1, string? id = null)
    {
        var html = new StringBuilder(id is null ? "<table>\n" : $"<table id=\"{id}\">\n");
        html.Append("<tr>");
        for (var c = 0; c < header.Count; c++) html.Append(c < leftColumns ? "<th class=\"l\">" : "<th>").Append(Escape(header[c])).Append("</th>");
        html.Append("</tr>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (var c = 0; c < row.Count; c++) html.Append(c < leftColumns ? "<td class=\"l\">" : "<td>").Append(Escape(row[c])).Append("</td>");
            html.Append("</tr>\n");
        }
        return html.Append("</table>\n").ToString();
    }

    /// <summary>
    /// Renders with the invariant culture on this thread, so that every number on the page (interpolated ones too)
    /// is written as metrics.csv and the console write it (9,954 and 99.54), whatever the machine's locale.
    /// </summary>
    public static string Invariant(Func<string> render)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    public static string Number(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);
}
