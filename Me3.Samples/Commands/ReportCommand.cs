using System.CommandLine;
using Me3.Samples.Reporting;
using Me3.Samples.Support;
using Me3.Streams;
using Me3.Streams.Query;

namespace Me3.Samples.Commands;

/// <summary><c>report --lake DIR [--html FILE]</c>: the business answers on the terminal and as a self-contained HTML page.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var engine = new EngineOptions();
        var html = new Option<FileInfo?>("--html") { Description = "Where to write the HTML report (default: me3-report.html beside the lake)." };
        var command = new Command("report", "Answer the business questions (most popular sword, top buyer, iOS vs Android) from the lake; write an HTML report.")
        {
            html,
        };
        engine.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(html) is { } file && Directory.Exists(file.FullName))
            {
                r.AddError($"--html '{file.FullName}' is a directory; give a file name.");
            }
        });
        command.SetAction((r, ct) => RunAsync(engine, r, r.GetValue(html), ct));
        return command;
    }

    /// <summary>The default report path: <c>me3-report.html</c> in the lake's parent directory.</summary>
    public static string DefaultHtmlPath(string lake) =>
        Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(lake))) ?? ".", "me3-report.html");

    private static Task<int> RunAsync(EngineOptions options, ParseResult parse, FileInfo? html, CancellationToken ct)
    {
        return CommandRun.GuardAsync(async () =>
        {
            var catalog = options.Catalog(parse);
            await using var engine = options.Open(parse);
            var questions = new BusinessQuestions(engine, options.QueryOptions(parse));
            var answers = catalog is not null
                ? await questions.AnswerAllAsync(catalog, ct)
                : await questions.AnswerAllAsync(await options.TableNamesAsync(parse, engine, ct), ct);
            AnswersConsole.Write(answers);
            var path = html?.FullName ?? (catalog is not null ? DefaultHtmlPath(catalog.LakePath) : Path.GetFullPath("me3-report.html"));
            WriteHtml(path, HtmlReport.Render(answers, options.Where(parse)));
            Console.WriteLine($"report: {path}");
            return 0;
        });
    }

    /// <summary>Writes the report atomically (a reader never sees half a page).</summary>
    /// <exception cref="Me3Exception">It cannot be written.</exception>
    public static void WriteHtml(string path, string html)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".tmp";
            File.WriteAllText(temp, html);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Me3Exception($"Cannot write the report to '{path}': {e.Message}", e, file: path);
        }
    }
}
