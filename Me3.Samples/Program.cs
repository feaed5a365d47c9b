using System.CommandLine;
using Me3.Samples.Commands;

var root = new RootCommand("Me3 Streams samples: land Mid-EVIL III game events in a Parquet lake.")
{
    IngestCommand.Create(),
    GenerateCommand.Create(),
    BenchCommand.Create(),
    KafkaCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
