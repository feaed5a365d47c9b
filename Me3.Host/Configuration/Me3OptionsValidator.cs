using Me3.Host.Analytics;
using Me3.Streams.Lake;
using Microsoft.Extensions.Options;

namespace Me3.Host.Configuration;

/// <summary>Checks the settings at start-up; each failure names the configuration key to fix.</summary>
public sealed class Me3OptionsValidator : IValidateOptions<Me3Options>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, Me3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Require(bool ok, string key, string what)
        {
            if (!ok)
            {
                errors.Add($"{Me3Options.Section}:{key} {what}");
            }
        }

        Require(LakeIdentifier.IsValidSource(options.Kafka.Topic), "Kafka:Topic", $"'{options.Kafka.Topic}' is not a valid topic name ([A-Za-z0-9._-], not starting with '.' or '_').");
        Require(!string.IsNullOrWhiteSpace(options.Kafka.GroupId), "Kafka:GroupId", "must not be empty.");
        Require(!string.IsNullOrWhiteSpace(options.Lake.Path), "Lake:Path", "must not be empty.");
        Require(options.Api.MaxParameterLength is > 0 and <= 65_536, "Api:MaxParameterLength", "must be between 1 and 65536.");
        Require(options.Api.MaxBodyBytes is > 0 and <= 16 * 1024 * 1024, "Api:MaxBodyBytes", "must be between 1 and 16777216.");
        Require(options.Api.PublishTimeoutSeconds is > 0 and <= 300, "Api:PublishTimeoutSeconds", "must be between 0 and 300.");
        Require(options.Api.QueueCapacity > 0, "Api:QueueCapacity", "must be positive.");
        Require(options.Api.MaxConnections is > 0 and <= 1_000_000, "Api:MaxConnections", "must be between 1 and 1000000.");
        Require(options.Api.KeepAliveSeconds is > 0 and <= 3600, "Api:KeepAliveSeconds", "must be between 0 and 3600.");
        Require(options.Api.HeadersTimeoutSeconds is > 0 and <= 3600, "Api:HeadersTimeoutSeconds", "must be between 0 and 3600.");
        Require(options.Ingest.BatchRecords > 0, "Ingest:BatchRecords", "must be positive.");
        Require(options.Ingest.BatchMegabytes is > 0 and <= 1024, "Ingest:BatchMegabytes", "must be between 1 and 1024.");
        Require(options.Ingest.BatchSeconds > 0, "Ingest:BatchSeconds", "must be positive.");
        Require(options.Ingest.StopTimeoutSeconds is > 0 and <= 3600, "Ingest:StopTimeoutSeconds", "must be between 0 and 3600.");
        Require(options.Ingest.MaxRestarts >= 0, "Ingest:MaxRestarts", "must not be negative.");
        Require(options.Ingest.RestartWindowSeconds > 0, "Ingest:RestartWindowSeconds", "must be positive.");
        Require(options.Ingest.RestartMinBackoffSeconds is > 0 and <= 3600, "Ingest:RestartMinBackoffSeconds", "must be between 0 and 3600.");
        Require(options.Ingest.RestartMaxBackoffSeconds >= options.Ingest.RestartMinBackoffSeconds && options.Ingest.RestartMaxBackoffSeconds <= 3600,
            "Ingest:RestartMaxBackoffSeconds", "must be between Me3:Ingest:RestartMinBackoffSeconds and 3600.");
        Require(options.Analytics.QueryTimeoutSeconds is > 0 and <= 3600, "Analytics:QueryTimeoutSeconds", "must be between 0 and 3600.");
        Require(options.Analytics.MaxRows is > 0 and <= 10_000_000, "Analytics:MaxRows", "must be between 1 and 10000000.");
        Require(options.Analytics.MaxConcurrentQueries is > 0 and <= 256, "Analytics:MaxConcurrentQueries", "must be between 1 and 256.");
        Require(options.Analytics.AnswersCacheSeconds is >= 0 and <= 3600, "Analytics:AnswersCacheSeconds", "must be between 0 and 3600.");
        Require(options.Analytics.MaxQueries is > 0 and <= 10_000, "Analytics:MaxQueries", "must be between 1 and 10000.");
        Require(options.Analytics.AbandonSeconds is > 0 and <= 86_400, "Analytics:AbandonSeconds", "must be between 0 and 86400.");
        Require(string.IsNullOrEmpty(options.Analytics.User) == string.IsNullOrEmpty(options.Analytics.Password), "Analytics:User",
            "and Me3:Analytics:Password go together: set both for basic authentication, or neither.");
        Require(options.Analytics.Urls is null || AnalyticsAccess.TryParseListener(options.Analytics.Urls, out _), "Analytics:Urls",
            $"'{options.Analytics.Urls}' is not one http:// or https:// address with a port, such as http://127.0.0.1:8081.");
        Require(options.Analytics.DashboardRefreshSeconds is >= 0.5 and <= 3600, "Analytics:DashboardRefreshSeconds", "must be between 0.5 and 3600.");
        var analytics = options.Analytics.IsEnabled(embeddedBroker: string.IsNullOrWhiteSpace(options.Kafka.BootstrapServers));
        Require(options.Api.Enabled || options.Ingest.Enabled || analytics, "Api:Enabled", "and Me3:Ingest:Enabled and Me3:Analytics:Enabled are all false: nothing to run.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
