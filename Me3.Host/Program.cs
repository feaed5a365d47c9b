using Me3.Host.Apis;
using Me3.Host.Configuration;
using Prometheus;

var builder = WebApplication.CreateBuilder(args);
builder.AddMe3();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseHttpMetrics();
if (app.Configuration.GetValue("Me3:Api:Enabled", true))
{
    app.MapGameApi();
}

app.MapOperationsApi();
app.MapAnalyticsApi();
app.Run();

/// <summary>The host's entry point; public for WebApplicationFactory tests.</summary>
public partial class Program;
