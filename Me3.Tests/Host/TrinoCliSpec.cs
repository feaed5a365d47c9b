using System.Net;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Host;

/// <summary>The CLI's <c>query</c>, <c>report</c> and <c>tables</c> on a Trino endpoint (<c>--trino URL</c>): here, Me3.Host's own.</summary>
[Collection(TrinoHost.Collection)]
public sealed class TrinoCliSpec : IAsyncLifetime
{
    private readonly TempLake _lake = TrinoHost.Landed();
    private HostProcess? _host;
    private string _url = "";

    public async Task InitializeAsync()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        _host = await HostProcess.StartAsync(_lake.Lake, _url, []);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _lake.Dispose();
    }

    [Fact]
    public async Task Pyhive_s_exchange_over_a_real_socket_must_answer_the_reference_question()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_url) };

        var swords = await RawTrino.RunAsync(client, Me3.Streams.Query.BusinessQuestions.MostPopularSwordSql, RawTrino.Pyhive);

        Assert.Equal("FINISHED", swords.State);
        Assert.Equal(["3 needle", "2 katana", "1 longsword"], swords.Rows.Select(r => $"{r[0].GetInt64()} {r[1].GetString()}"));
    }

    [Fact]
    public async Task Query_must_run_on_Trino_with_the_same_SQL()
    {
        var (exit, output, error) = await SamplesCli.RunAsync("query", "--trino", _url, "--user", "analyst", "--format", "csv",
            "SELECT count(*) AS purch_count, sword_name FROM purchases GROUP BY sword_name ORDER BY purch_count DESC");

        Assert.True(exit == 0, error);
        Assert.Equal(["purch_count,sword_name", "3,needle", "2,katana", "1,longsword"], output.Trim().ReplaceLineEndings("\n").Split('\n'));
    }

    [Fact]
    public async Task Report_must_answer_the_questions_through_Trino()
    {
        var html = Path.Combine(_lake.Root, "report.html");

        var (exit, output, error) = await SamplesCli.RunAsync("report", "--trino", _url, "--catalog", "lake", "--schema", "default", "--html", html);

        Assert.True(exit == 0, error);
        Assert.Contains("The most popular sword is needle. It was purchased 3 times.", output, StringComparison.Ordinal);
        Assert.Contains("alice", output, StringComparison.Ordinal);
        Assert.True(File.Exists(html));
    }

    [Fact]
    public async Task Tables_must_list_the_registered_tables_with_rows_and_columns()
    {
        var (exit, output, error) = await SamplesCli.RunAsync("tables", "--trino", _url);

        Assert.True(exit == 0, error);
        Assert.Contains("purchases", output, StringComparison.Ordinal);
        Assert.Contains("guild_name", output, StringComparison.Ordinal);
        Assert.Contains("dead_letters", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_statement_the_endpoint_refuses_must_fail_with_its_error_on_one_line()
    {
        var (exit, output, error) = await SamplesCli.RunAsync("query", "--trino", _url, "DROP TABLE purchases");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: PERMISSION_DENIED: ", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Lake_and_Trino_together_must_be_refused()
    {
        var (exit, _, error) = await SamplesCli.RunAsync("query", "--trino", _url, "--lake", _lake.Lake, "SELECT 1");

        Assert.NotEqual(0, exit);
        Assert.Contains("either --lake DIR or --trino URL", error, StringComparison.Ordinal);
    }
}
