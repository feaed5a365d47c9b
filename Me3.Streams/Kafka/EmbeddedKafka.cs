using System.Runtime.InteropServices;

namespace Me3.Streams.Kafka;

/// <summary>
/// An in-process Kafka cluster for development and tests: librdkafka's mock cluster (the one behind
/// <c>test.mock.num.brokers</c>), which speaks the real Kafka protocol over TCP on 127.0.0.1. Any Kafka client
/// reaches it through <see cref="BootstrapServers"/>. It keeps data in memory only: <b>not durable, not for
/// production</b>. Topics are created on first use with 4 partitions, or explicitly with
/// <see cref="CreateTopic"/>; brokers can be taken down and up to test failures. Like retention, the mock keeps only
/// about the last 5 MB of each partition: older records are purged (the partition's low watermark rises), so spread
/// large volumes over more partitions, or consume while producing.
/// </summary>
internal sealed partial class EmbeddedKafka : IDisposable
{
    private const string Library = "librdkafka";
    private readonly object _gate = new();
    private IntPtr _client;
    private IntPtr _cluster;

    static EmbeddedKafka() => LibrdkafkaResolver.EnsureRegistered();

    /// <summary>Starts a mock cluster.</summary>
    /// <param name="brokers">How many brokers (ids 1 to <paramref name="brokers"/>).</param>
    /// <exception cref="Me3Exception">librdkafka could not start the cluster.</exception>
    public EmbeddedKafka(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        Brokers = brokers;

        // The mock cluster needs a client handle to live in; a bare producer that never produces is enough.
        var error = new byte[512];
        var conf = ConfNew();
        ConfSet(conf, "log_level", "3", error, (nuint)error.Length);
        _client = New(0, conf, error, (nuint)error.Length);
        if (_client == IntPtr.Zero)
        {
            throw new Me3Exception($"librdkafka could not create the embedded broker's client: {Text(error)}");
        }

        _cluster = MockClusterNew(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            Destroy(_client);
            throw new Me3Exception("librdkafka could not start its mock cluster.");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterBootstraps(_cluster))
            ?? throw new Me3Exception("librdkafka's mock cluster reported no bootstrap servers.");

        // A real broker waits 3 s (group.initial.rebalance.delay.ms) for more members before a new group's first
        // assignment; on a development broker that is 3 s of every start spent waiting for nobody.
        MockGroupInitialRebalanceDelay(_cluster, 0);
    }

    /// <summary>The comma-separated <c>host:port</c> list clients connect to.</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers the cluster has.</summary>
    public int Brokers { get; }

    /// <summary>Creates a topic with a chosen partition count (topics used before this get 4).</summary>
    /// <param name="topic">The topic name.</param>
    /// <param name="partitions">The partition count.</param>
    /// <param name="replicationFactor">The replication factor; at most the broker count.</param>
    /// <exception cref="Me3Exception">The cluster refused.</exception>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        Check(MockTopicCreate(Cluster, topic, partitions, replicationFactor), $"create topic '{topic}'");
    }

    /// <summary>Takes a broker down: its connections close and it refuses new ones until <see cref="BrokerUp"/>.</summary>
    /// <param name="brokerId">The broker id, 1 to <see cref="Brokers"/>.</param>
    /// <exception cref="Me3Exception">No such broker.</exception>
    public void BrokerDown(int brokerId) => Check(MockBrokerSetDown(Cluster, brokerId), $"take broker {brokerId} down");

    /// <summary>Brings a broker back up.</summary>
    /// <param name="brokerId">The broker id.</param>
    /// <exception cref="Me3Exception">No such broker.</exception>
    public void BrokerUp(int brokerId) => Check(MockBrokerSetUp(Cluster, brokerId), $"bring broker {brokerId} up");

    /// <summary>
    /// Makes the cluster answer the next requests of one kind with these errors, one request each, in order; later
    /// requests are served normally. This rehearses what a real cluster does now and then: a group coordinator moving
    /// (<c>NOT_COORDINATOR</c>), loading (<c>COORDINATOR_LOAD_IN_PROGRESS</c>), a leader election.
    /// </summary>
    /// <param name="apiKey">The Kafka protocol request kind (for example 8, OffsetCommit; 1, Fetch; 0, Produce).</param>
    /// <param name="errors">The errors to answer with, in order.</param>
    public void FailNextRequests(short apiKey, params Confluent.Kafka.ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = Array.ConvertAll(errors, e => (int)e);
        MockPushRequestErrors(Cluster, apiKey, (nuint)codes.Length, codes);
    }

    /// <summary>Stops the cluster; its data is gone.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != IntPtr.Zero)
            {
                MockClusterDestroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_client != IntPtr.Zero)
            {
                Destroy(_client);
                _client = IntPtr.Zero;
            }
        }
    }

    private IntPtr Cluster => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(EmbeddedKafka));

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new Me3Exception($"The embedded Kafka could not {what}: librdkafka error {error}.");
        }
    }

    private static string Text(byte[] error) => System.Text.Encoding.UTF8.GetString(error).TrimEnd('\0');

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    private static partial IntPtr ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ConfSet(IntPtr conf, string name, string value, [Out] byte[] error, nuint errorSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    private static partial IntPtr New(int type, IntPtr conf, [Out] byte[] error, nuint errorSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    private static partial void Destroy(IntPtr client);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    private static partial IntPtr MockClusterNew(IntPtr client, int brokers);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    private static partial void MockClusterDestroy(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    private static partial IntPtr MockClusterBootstraps(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MockTopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    private static partial void MockGroupInitialRebalanceDelay(IntPtr cluster, int delayMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    private static partial void MockPushRequestErrors(IntPtr cluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    private static partial int MockBrokerSetDown(IntPtr cluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    private static partial int MockBrokerSetUp(IntPtr cluster, int brokerId);
}
