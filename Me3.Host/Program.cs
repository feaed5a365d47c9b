using Me3.Host;
using Microsoft.Extensions.Options;

try
{
    Me3HostApplication.Build(args).Run();
    return 0;
}
catch (OptionsValidationException e) when (IsProcessEntryPoint())
{
    // A bad setting: one line per failure, naming the key, and no stack trace.
    foreach (var failure in e.Failures)
    {
        Console.Error.WriteLine($"error: {failure}");
    }

    return 1;
}
catch (InvalidOperationException e) when (IsProcessEntryPoint() && e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

// Run as the process (not inside a test's WebApplicationFactory, which wants the exception itself).
static bool IsProcessEntryPoint() => System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly;

/// <summary>The host's entry point; public for WebApplicationFactory tests.</summary>
public partial class Program;
