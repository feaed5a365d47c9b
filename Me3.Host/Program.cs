using Me3.Host;

Me3HostApplication.Build(args).Run();

/// <summary>The host's entry point; public for WebApplicationFactory tests.</summary>
public partial class Program;
