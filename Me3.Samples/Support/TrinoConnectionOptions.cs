using System.CommandLine;
using Me3.Streams;
using Me3.Streams.Query.Trino;

namespace Me3.Samples.Support;

/// <summary>
/// The options that point a command at a Trino (or Presto) coordinator: <c>--trino URL</c>, <c>--user</c>,
/// <c>--catalog</c>, <c>--schema</c>, and <c>--password</c> (HTTP basic; the password from <c>TRINO_PASSWORD</c>, as
/// Trino's CLI takes it) or <c>--token [TOKEN]</c> (bearer; from <c>TRINO_ACCESS_TOKEN</c> when no value is given).
/// </summary>
internal sealed class TrinoConnectionOptions
{
    public const string PasswordVariable = "TRINO_PASSWORD";
    public const string TokenVariable = "TRINO_ACCESS_TOKEN";

    public TrinoConnectionOptions(bool required)
    {
        Trino = new Option<string?>("--trino")
        {
            Description = "A Trino or Presto coordinator, http(s)://host:port" + (required ? "." : ": run there instead of on the embedded engine."),
            Required = required,
        };
    }

    public Option<string?> Trino { get; }

    public Option<string?> User { get; } = new("--user") { Description = "The Trino user (default: TRINO_USER, else the login name)." };

    public Option<string> Catalog { get; } = new("--catalog") { Description = "The Trino catalog holding the lake's tables.", DefaultValueFactory = _ => "hive" };

    public Option<string> Schema { get; } = new("--schema") { Description = "The schema holding the lake's tables.", DefaultValueFactory = _ => "default" };

    public Option<bool> Password { get; } = new("--password") { Description = $"Authenticate with a password (HTTP basic), read from {PasswordVariable}." };

    public Option<string?> Token { get; } = new("--token") { Description = $"Authenticate with a bearer token (default: {TokenVariable}).", Arity = ArgumentArity.ZeroOrOne };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Trino);
        command.Options.Add(User);
        command.Options.Add(Catalog);
        command.Options.Add(Schema);
        command.Options.Add(Password);
        command.Options.Add(Token);
    }

    /// <summary>Whether <c>--trino</c> was given.</summary>
    public bool IsGiven(ParseResult result) => !string.IsNullOrWhiteSpace(result.GetValue(Trino));

    /// <summary>The client settings the options describe.</summary>
    /// <exception cref="Me3Exception">An option is invalid (the message is one line, for the user).</exception>
    public TrinoClientSettings Settings(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var url = result.GetValue(Trino);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            throw new Me3Exception($"--trino '{url}' is not an http:// or https:// address (such as http://localhost:8080).");
        }

        var catalog = result.GetValue(Catalog)!;
        var schema = result.GetValue(Schema)!;
        if (string.IsNullOrWhiteSpace(catalog) || string.IsNullOrWhiteSpace(schema))
        {
            throw new Me3Exception("--catalog and --schema must not be empty.");
        }

        var user = result.GetValue(User) ?? Environment.GetEnvironmentVariable("TRINO_USER");
        var settings = new TrinoClientSettings(server).WithCatalog(catalog, schema);
        if (!string.IsNullOrWhiteSpace(user))
        {
            settings = settings.WithUser(user);
        }

        var tokenGiven = result.GetResult(Token) is not null;
        if (result.GetValue(Password) && tokenGiven)
        {
            throw new Me3Exception("Give --password or --token, not both.");
        }

        if (result.GetValue(Password))
        {
            var password = Environment.GetEnvironmentVariable(PasswordVariable);
            if (string.IsNullOrEmpty(password))
            {
                throw new Me3Exception($"--password reads the password from {PasswordVariable}, which is not set.");
            }

            settings = settings.WithBasicAuthentication(settings.User, password);
        }
        else if (tokenGiven)
        {
            var token = result.GetValue(Token) ?? Environment.GetEnvironmentVariable(TokenVariable);
            if (string.IsNullOrWhiteSpace(token))
            {
                throw new Me3Exception($"--token needs a value, or {TokenVariable} set.");
            }

            settings = settings.WithAccessToken(token);
        }

        if (settings.HasCredentials && server.Scheme == Uri.UriSchemeHttp && !server.IsLoopback)
        {
            throw new Me3Exception($"Refusing to send credentials over plain HTTP to {server.Authority}: use https://, or a loopback address.");
        }

        return settings;
    }
}
