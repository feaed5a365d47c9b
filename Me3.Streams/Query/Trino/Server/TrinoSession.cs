namespace Me3.Streams.Query.Trino.Server;

/// <summary>What a client's request says about its session: who it is, where unqualified names resolve, and which
/// header family it speaks (the answers use the same).</summary>
/// <param name="User">The user (<c>X-Trino-User</c>).</param>
/// <param name="Catalog">The session catalog, if any (<c>X-Trino-Catalog</c>).</param>
/// <param name="Schema">The session schema, if any (<c>X-Trino-Schema</c>).</param>
/// <param name="Source">The client's name, if given (<c>X-Trino-Source</c>).</param>
/// <param name="Headers">The header family the client spoke.</param>
public sealed record TrinoSession(string User, string? Catalog, string? Schema, string? Source, TrinoHeaders Headers);
