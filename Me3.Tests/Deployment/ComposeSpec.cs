using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Me3.Host.Configuration;
using Me3.Streams.Query;
using Me3.Streams.Query.Trino;
using Me3.Tests.Support;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Me3.Tests.Deployment;

/// <summary>
/// docker/docker-compose.yml, checked without a Docker engine: docker-compose validates and normalizes it, and these
/// specs check what the deployment's guarantees rest on (Kafka's replication, one consumer group, one lake, the
/// roles, Trino's view of the lake).
/// </summary>
public sealed partial class ComposeSpec
{
    private static readonly string[] HostRoles = ["api", "ingest", "analytics"];

    [ComposeFact]
    public void The_compose_file_must_pass_docker_compose_config()
    {
        var (exit, _, error) = ComposeFile.Run("config", "--quiet");

        Assert.True(exit == 0, error);
        Assert.DoesNotContain("WARN", error, StringComparison.OrdinalIgnoreCase);
    }

    [ComposeFact]
    public void Every_image_must_be_pinned_by_version()
    {
        foreach (var service in ComposeFile.Model.GetProperty("services").EnumerateObject())
        {
            Assert.True(service.Value.TryGetProperty("image", out var image), $"service {service.Name} names no image");
            var match = PinnedImage().Match(image.GetString()!);
            Assert.True(match.Success, $"service {service.Name}: image '{image}' is not pinned by version");
            Assert.NotEqual("latest", match.Groups["tag"].Value);
        }
    }

    [ComposeFact]
    public void Kafka_must_be_three_KRaft_brokers_of_one_cluster_that_keep_every_acknowledged_event_on_two_of_them()
    {
        var brokers = new[] { "kafka-1", "kafka-2", "kafka-3" }.Select(ComposeFile.Environment).ToArray();

        Assert.Equal(["1", "2", "3"], brokers.Select(b => b["KAFKA_NODE_ID"]));
        Assert.Single(brokers.Select(b => b["CLUSTER_ID"]).Distinct());
        Assert.Single(brokers.Select(b => b["KAFKA_CONTROLLER_QUORUM_VOTERS"]).Distinct());
        Assert.Equal("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093", brokers[0]["KAFKA_CONTROLLER_QUORUM_VOTERS"]);
        Assert.Equal(16, Convert.FromBase64String(brokers[0]["CLUSTER_ID"].Replace('-', '+').Replace('_', '/') + "==").Length);
        foreach (var broker in brokers)
        {
            Assert.Equal("broker,controller", broker["KAFKA_PROCESS_ROLES"]);
            Assert.Equal("3", broker["KAFKA_DEFAULT_REPLICATION_FACTOR"]);
            Assert.Equal("2", broker["KAFKA_MIN_INSYNC_REPLICAS"]);
            Assert.Equal("3", broker["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]);
            Assert.Equal("false", broker["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]);
            Assert.Equal($"PLAINTEXT://kafka-{broker["KAFKA_NODE_ID"]}:19092", broker["KAFKA_ADVERTISED_LISTENERS"]);
        }

        Assert.Equal(["kafka-1", "kafka-2", "kafka-3"], Mounts("kafka-1").Concat(Mounts("kafka-2")).Concat(Mounts("kafka-3"))
            .Where(m => m.Target == "/var/lib/kafka/data").Select(m => m.Source));
    }

    [ComposeFact]
    public void The_events_topic_must_be_created_before_the_hosts_start_with_16_partitions_3_replicas_and_2_in_sync()
    {
        var init = ComposeFile.Service("kafka-init");
        var command = string.Join(' ', ComposeFile.Strings(init.GetProperty("entrypoint")).Concat(ComposeFile.Strings(init.GetProperty("command"))));

        Assert.Contains("kafka-topics.sh --bootstrap-server kafka-1:19092,kafka-2:19092,kafka-3:19092 --create --if-not-exists --topic events", command, StringComparison.Ordinal);
        Assert.Contains("--partitions 16 --replication-factor 3 --config min.insync.replicas=2", command, StringComparison.Ordinal);
        foreach (var role in HostRoles)
        {
            Assert.Equal("service_completed_successfully", ComposeFile.Service(role).GetProperty("depends_on").GetProperty("kafka-init").GetProperty("condition").GetString());
            Assert.Equal("events", ComposeFile.Environment(role)["Me3__Kafka__Topic"]);
        }
    }

    [ComposeFact]
    public void Each_host_role_must_be_chosen_by_configuration_alone_and_start_with_valid_settings()
    {
        var roles = new Dictionary<string, (bool Api, bool Ingest, bool Analytics)>
        {
            ["api"] = (true, false, false),
            ["ingest"] = (false, true, false),
            ["analytics"] = (false, false, true),
        };
        foreach (var (role, expected) in roles)
        {
            var environment = ComposeFile.Environment(role);
            var options = Bind(environment);

            Assert.Equal("me3-host:0.1.0", ComposeFile.Service(role).GetProperty("image").GetString());
            Assert.False(ComposeFile.Service(role).TryGetProperty("command", out _), $"{role} must be configured by environment only");
            var result = new Me3OptionsValidator().Validate(null, options);
            Assert.True(result.Succeeded, $"{role}: {result.FailureMessage}");
            Assert.Equal(expected, (options.Api.Enabled, options.Ingest.Enabled, options.Analytics.IsEnabled(embeddedBroker: false)));
            Assert.Equal("kafka-1:19092,kafka-2:19092,kafka-3:19092", options.Kafka.BootstrapServers);
            Assert.Equal("me3-ingest", options.Kafka.GroupId);
            Assert.Equal("/lake", options.Lake.Path);
        }
    }

    [ComposeFact]
    public void The_api_and_the_ingestion_must_scale_and_only_the_gateway_and_loopback_ports_be_published()
    {
        foreach (var scaled in new[] { "api", "ingest" })
        {
            Assert.False(ComposeFile.Service(scaled).TryGetProperty("ports", out _), $"{scaled} publishes a port: a second instance could not start");
            Assert.False(ComposeFile.Service(scaled).TryGetProperty("container_name", out _), $"{scaled} has a container name: a second instance could not start");
        }

        Assert.Equal([("127.0.0.1", "8088", "8080")], Ports("analytics"));
        Assert.Equal([("", "8080", "8080")], Ports("gateway"));
        Assert.Equal([("", "8081", "8080")], Ports("trino"));
        var nginx = File.ReadAllText(Repository.Path("docker", "gateway", "nginx.conf"));
        Assert.Contains(Mounts("gateway"), m => m.Target == "/etc/nginx/nginx.conf" && m.Source.EndsWith("gateway/nginx.conf", StringComparison.Ordinal));
        Assert.Matches(@"resolver 127\.0\.0\.11 valid=\d+s", nginx);
        Assert.Contains("set $api http://api:8080;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_pass $api;", nginx, StringComparison.Ordinal);
    }

    [ComposeFact]
    public void The_lake_must_be_one_volume_written_only_by_the_ingestion()
    {
        var lakeMounts = ComposeFile.Model.GetProperty("services").EnumerateObject()
            .SelectMany(s => Mounts(s.Name).Where(m => m.Source == "lake").Select(m => (Service: s.Name, m.Target, m.ReadOnly)))
            .OrderBy(m => m.Service, StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(
        [
            ("analytics", "/lake", true),
            ("ingest", "/lake", false),
            ("lake-init", "/lake", false),
            ("metastore", "/lake", true),
            ("trino", "/lake", true),
        ], lakeMounts);
        Assert.True(ComposeFile.Model.GetProperty("volumes").TryGetProperty("lake", out _));
    }

    [ComposeFact]
    public void The_lake_init_job_must_create_the_directory_of_every_declared_table()
    {
        // docker-compose config keeps "$$" (a literal "$" for the container's shell) escaped.
        var command = string.Join(' ', ComposeFile.Strings(ComposeFile.Service("lake-init").GetProperty("command"))).Replace("$$", "$", StringComparison.Ordinal);
        var created = MakeDirectories().Match(command).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(new LakeCatalog("/unused").DeclaredTables.Select(t => "/lake/" + t.Name).Order(), created.Order());
        Assert.Contains("chown \"$APP_UID:$APP_UID\" /lake", command, StringComparison.Ordinal);
        Assert.Equal("0:0", ComposeFile.Service("lake-init").GetProperty("user").GetString());
    }

    [ComposeFact]
    public void Trino_must_read_the_lake_through_the_Hive_metastore_at_the_location_the_register_job_gives()
    {
        var register = ComposeFile.Strings(ComposeFile.Service("register").GetProperty("command"));
        var catalog = File.ReadAllLines(Repository.Path("docker", "trino", "catalog", "hive.properties"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());

        Assert.Equal(["register", "--trino", "http://trino:8080", "--catalog", "hive", "--schema", "default", "--location", "file:///lake"], register);
        Assert.Contains(Mounts("trino"), m => m.Target == "/etc/trino/catalog/hive.properties" && m.Source.EndsWith("trino/catalog/hive.properties", StringComparison.Ordinal) && m.ReadOnly);
        Assert.Equal(new Uri(register[^1]).AbsolutePath, Mounts("trino").Single(m => m.Source == "lake").Target);
        Assert.Equal("hive", catalog["connector.name"]);
        Assert.Equal("thrift://metastore:9083", catalog["hive.metastore.uri"]);
        Assert.Equal("true", catalog["fs.hadoop.enabled"]); // file:// locations
        Assert.Equal("service_healthy", ComposeFile.Service("register").GetProperty("depends_on").GetProperty("trino").GetProperty("condition").GetString());
        Assert.Equal("me3-cli:0.1.0", ComposeFile.Service("register").GetProperty("image").GetString());
        Assert.Equal("cli", ComposeFile.Service("register").GetProperty("build").GetProperty("target").GetString());
        var sync = string.Join(' ', ComposeFile.Strings(ComposeFile.Service("partition-sync").GetProperty("command")));
        Assert.Contains("dotnet Me3.Samples.dll " + string.Join(' ', register), sync, StringComparison.Ordinal);
    }

    [ComposeFact]
    public void The_DDL_the_register_job_runs_must_point_every_table_at_a_directory_the_lake_init_job_creates_in_Trinos_view_of_the_lake()
    {
        var register = ComposeFile.Strings(ComposeFile.Service("register").GetProperty("command"));
        string Option(string name) => register[Array.IndexOf(register, name) + 1];
        var registration = new TrinoHiveRegistration(new LakeCatalog("/unused").DeclaredTables, Option("--catalog"), Option("--schema"), Option("--location"));
        var lakeInTrino = Mounts("trino").Single(m => m.Source == "lake").Target;
        var created = MakeDirectories().Match(string.Join(' ', ComposeFile.Strings(ComposeFile.Service("lake-init").GetProperty("command"))))
            .Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var locations = registration.Statements()
            .Where(s => s.StartsWith("CREATE TABLE", StringComparison.Ordinal))
            .Select(s => ExternalLocation().Match(s).Groups[1].Value)
            .ToArray();

        Assert.Equal(4, locations.Length);
        foreach (var location in locations)
        {
            var path = new Uri(location).AbsolutePath;
            Assert.StartsWith(lakeInTrino + "/", path, StringComparison.Ordinal);
            Assert.Contains(path, created);
        }

        Assert.Equal("CREATE SCHEMA IF NOT EXISTS \"hive\".\"default\"", registration.Statements()[0]);
        Assert.All(registration.Statements().Skip(5), s => Assert.StartsWith("CALL \"hive\".system.sync_partition_metadata(schema_name => 'default'", s, StringComparison.Ordinal));
    }

    [ComposeFact]
    public async Task The_register_job_s_command_must_be_one_the_CLI_takes_and_print_exactly_that_DDL()
    {
        var register = ComposeFile.Strings(ComposeFile.Service("register").GetProperty("command"));
        string Option(string name) => register[Array.IndexOf(register, name) + 1];

        var (exit, output, error) = await SamplesCli.RunAsync([.. register, "--print"]);

        Assert.True(exit == 0, error);
        var expected = new TrinoHiveRegistration(new LakeCatalog("/unused").DeclaredTables, Option("--catalog"), Option("--schema"), Option("--location")).Script();
        Assert.Equal(expected, output.ReplaceLineEndings("\n"));
    }

    [ComposeFact]
    public void A_stop_must_leave_the_ingestion_time_to_land_and_commit_what_is_in_flight()
    {
        foreach (var role in HostRoles)
        {
            var grace = ComposeFile.Service(role).GetProperty("stop_grace_period").GetString()!;
            var stopTimeout = Bind(ComposeFile.Environment(role)).Ingest.StopTimeoutSeconds;

            Assert.EndsWith("s", grace, StringComparison.Ordinal);
            Assert.True(double.Parse(grace[..^1], CultureInfo.InvariantCulture) >= stopTimeout + 10, $"{role}: stop_grace_period {grace} leaves no margin over the stop timeout {stopTimeout} s");
        }
    }

    [ComposeFact]
    public void Every_Me3_setting_in_the_compose_file_must_name_a_real_option()
    {
        foreach (var role in HostRoles)
        {
            foreach (var key in ComposeFile.Environment(role).Keys.Where(k => k.StartsWith("Me3__", StringComparison.Ordinal)))
            {
                var type = typeof(Me3Options);
                foreach (var part in key.Split("__").Skip(1))
                {
                    var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                    Assert.True(property is not null, $"{role}: {key} names no option ({part} is not in {type.Name})");
                    type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                }
            }
        }
    }

    private static Me3Options Bind(Dictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();
        var options = new Me3Options();
        configuration.GetSection(Me3Options.Section).Bind(options);
        return options;
    }

    /// <summary>A service's mounts as (source, target, read-only), from compose v1's strings or v2's objects.</summary>
    private static List<(string Source, string Target, bool ReadOnly)> Mounts(string service)
    {
        var mounts = new List<(string, string, bool)>();
        if (!ComposeFile.Service(service).TryGetProperty("volumes", out var volumes))
        {
            return mounts;
        }

        foreach (var volume in volumes.EnumerateArray())
        {
            if (volume.ValueKind == JsonValueKind.String)
            {
                var parts = volume.GetString()!.Split(':');
                mounts.Add((parts[0], parts[1], parts.Length > 2 && parts[2].Split(',').Contains("ro")));
            }
            else
            {
                mounts.Add((volume.GetProperty("source").GetString()!, volume.GetProperty("target").GetString()!,
                    volume.TryGetProperty("read_only", out var ro) && ro.GetBoolean()));
            }
        }

        return mounts;
    }

    /// <summary>A service's published ports as (host address, host port, container port).</summary>
    private static List<(string HostIp, string Published, string Target)> Ports(string service)
    {
        var ports = new List<(string, string, string)>();
        foreach (var port in ComposeFile.Service(service).GetProperty("ports").EnumerateArray())
        {
            if (port.ValueKind == JsonValueKind.String)
            {
                var parts = port.GetString()!.Split('/')[0].Split(':');
                ports.Add(parts.Length == 3 ? (parts[0], parts[1], parts[2]) : ("", parts[0], parts[1]));
            }
            else
            {
                ports.Add((port.TryGetProperty("host_ip", out var ip) ? ip.GetString()! : "",
                    port.GetProperty("published").ToString(), port.GetProperty("target").ToString()));
            }
        }

        return ports;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._/-]*:(?<tag>[0-9][A-Za-z0-9._-]*)$")]
    private static partial Regex PinnedImage();

    [GeneratedRegex(@"external_location = '([^']+)'")]
    private static partial Regex ExternalLocation();

    [GeneratedRegex(@"mkdir -p ((?:/lake/\w+ ?)+)")]
    private static partial Regex MakeDirectories();
}
