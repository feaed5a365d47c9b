using System.Text;

namespace Me3.Streams.Query.Trino.Server;

/// <summary>What a client's statement becomes.</summary>
internal abstract record Translation
{
    /// <summary>SQL for the embedded engine.</summary>
    public sealed record Query(string Sql) : Translation;

    /// <summary><c>USE catalog.schema</c>: a session change, answered in headers.</summary>
    public sealed record Use(string Catalog, string Schema) : Translation;
}

/// <summary>
/// Puts a Trino client's statement in terms of the embedded engine, so that clients see a Trino server: the lake's
/// tables resolve unqualified and qualified by any lake catalog or the client's session catalog and schema
/// (<c>hive.default.purchases</c>, <c>lake.default.purchases</c>, <c>default.purchases</c>); <c>SHOW CATALOGS</c>,
/// <c>SHOW SCHEMAS</c>, <c>SHOW TABLES</c>, <c>SHOW COLUMNS</c>, <c>DESCRIBE</c> and the metadata tables
/// (<c>information_schema.*</c>, <c>system.jdbc.*</c>) become queries over literal rows; <c>USE</c> changes the session.
/// The result is still one statement that the engine checks like any other (read-only, confined to the lake): nothing
/// here is a security boundary.
/// </summary>
internal sealed class TrinoSqlTranslator
{
    /// <summary>Words after which a name in a FROM clause is not followed by an alias.</summary>
    private static readonly HashSet<string> ClauseWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "WHERE", "ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "FETCH", "UNION", "EXCEPT", "INTERSECT", "JOIN", "INNER", "LEFT", "RIGHT",
        "FULL", "CROSS", "NATURAL", "ON", "USING", "WINDOW", "QUALIFY", "TABLESAMPLE", "FOR", "WITH", "SELECT", "FROM", "AND", "OR", "THEN",
        "ELSE", "END", "WHEN", "IN", "IS", "NOT", "LIKE", "BETWEEN", "ASC", "DESC", "NULLS",
    };

    private static readonly (string, string)[] SessionColumns = [("Name", "VARCHAR"), ("Value", "VARCHAR"), ("Default", "VARCHAR"), ("Type", "VARCHAR"), ("Description", "VARCHAR")];

    private readonly LakeCatalog _lake;
    private readonly IQueryEngine _engine;
    private readonly TrinoServerSettings _settings;

    public TrinoSqlTranslator(LakeCatalog lake, IQueryEngine engine, TrinoServerSettings settings)
    {
        _lake = lake;
        _engine = engine;
        _settings = settings;
    }

    /// <exception cref="QueryException">The statement is not supported, or names a catalog, schema or table that does not exist.</exception>
    public async Task<Translation> TranslateAsync(string sql, TrinoSession session, CancellationToken cancellationToken)
    {
        var tokens = SqlTokenizer.Tokenize(sql);
        var context = new Context(this, sql, tokens, session, cancellationToken);
        return await context.TranslateAsync().ConfigureAwait(false);
    }

    /// <summary>The catalogs the lake answers to for this session: the configured ones and the session's own.</summary>
    private List<string> LakeCatalogsFor(TrinoSession session)
    {
        var catalogs = _settings.Catalogs.Select(c => c.ToLowerInvariant()).ToList();
        if (session.Catalog is { } own && !string.Equals(own, TrinoMetadata.SystemCatalog, StringComparison.OrdinalIgnoreCase)
            && !catalogs.Contains(own.ToLowerInvariant()))
        {
            catalogs.Add(own.ToLowerInvariant());
        }

        return catalogs;
    }

    private async Task<TrinoMetadata> LoadMetadataAsync(TrinoSession session, CancellationToken cancellationToken)
    {
        var tables = new List<(string, IReadOnlyList<MetaColumn>)>();
        foreach (var table in _lake.Tables())
        {
            tables.Add((table.Name, table.Columns is { } declared
                ? [.. declared.Select(c => new MetaColumn(c.Name, c.Type, c.IsPartitionKey))]
                : await ProbeColumnsAsync(table.Name, cancellationToken).ConfigureAwait(false)));
        }

        return new TrinoMetadata(LakeCatalogsFor(session), _settings.Schema.ToLowerInvariant(), tables);
    }

    /// <summary>The columns of a table the routing does not declare: whatever its files hold.</summary>
    private async Task<IReadOnlyList<MetaColumn>> ProbeColumnsAsync(string table, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _engine.ExecuteAsync($"SELECT * FROM {TrinoMetadata.Quote(table)} LIMIT 0", QueryOptions.Default.WithMaxRows(1), cancellationToken)
                .ConfigureAwait(false);
            await using (result.ConfigureAwait(false))
            {
                return [.. result.Columns.Select(c => new MetaColumn(c.Name, c.Type, c.Name == LakeCatalog.PartitionColumn))];
            }
        }
        catch (QueryException)
        {
            return []; // unreadable files: the table is listed, its query reports why
        }
    }

    /// <summary>One statement's translation.</summary>
    private sealed class Context(TrinoSqlTranslator owner, string sql, List<SqlToken> tokens, TrinoSession session, CancellationToken cancellationToken)
    {
        private TrinoMetadata? _metadata;
        private int _position;

        private List<string> LakeCatalogs { get; } = owner.LakeCatalogsFor(session);

        private string? SessionCatalog => session.Catalog?.ToLowerInvariant();

        private string? SessionSchema => session.Schema?.ToLowerInvariant();

        public async Task<Translation> TranslateAsync()
        {
            var end = tokens.Count;
            while (end > 0 && tokens[end - 1].IsSymbol(';'))
            {
                end--;
            }

            tokens.RemoveRange(end, tokens.Count - end);
            if (tokens.Count == 0)
            {
                throw new QueryException(QueryErrors.SyntaxError, "The statement is empty.");
            }

            var first = tokens[0];
            if (first.IsWord("SHOW"))
            {
                return new Translation.Query(await ShowAsync().ConfigureAwait(false));
            }

            if (first.IsWord("DESCRIBE") || first.IsWord("DESC"))
            {
                _position = 1;
                if (Peek() is { } next && (next.IsWord("INPUT") || next.IsWord("OUTPUT")))
                {
                    throw NotSupported("Prepared statements are not supported");
                }

                return new Translation.Query(await ColumnsAsync().ConfigureAwait(false));
            }

            if (first.IsWord("USE"))
            {
                return await UseAsync().ConfigureAwait(false);
            }

            if (first.IsWord("EXECUTE") && tokens.Count > 2 && tokens[1].IsWord("IMMEDIATE") && tokens[2].Kind == SqlTokenKind.String)
            {
                if (tokens.Count > 3)
                {
                    throw NotSupported("EXECUTE IMMEDIATE ... USING (parameters) is not supported; inline the values");
                }

                return await owner.TranslateAsync(tokens[2].Value, session, cancellationToken).ConfigureAwait(false);
            }

            if (first.IsWord("SET") || first.IsWord("RESET"))
            {
                throw NotSupported("Session settings are not supported: this endpoint runs every query with the same settings");
            }

            if (first.IsWord("START") || first.IsWord("COMMIT") || first.IsWord("ROLLBACK") || first.IsWord("PREPARE") || first.IsWord("DEALLOCATE"))
            {
                throw NotSupported($"{first.Value.ToUpperInvariant()} is not supported: the lake is read-only and every query runs on its own");
            }

            return new Translation.Query(await RewriteNamesAsync().ConfigureAwait(false));
        }

        /// <summary>Rewrites dotted names: lake catalogs and schemas dropped, metadata tables replaced by their rows.</summary>
        private async Task<string> RewriteNamesAsync()
        {
            var text = new StringBuilder();
            var copied = 0;
            for (var i = 0; i < tokens.Count; i++)
            {
                if (!tokens[i].IsIdentifier || i > 0 && tokens[i - 1].IsSymbol('.'))
                {
                    continue;
                }

                var parts = new List<SqlToken> { tokens[i] };
                var j = i + 1;
                while (j + 1 < tokens.Count && tokens[j].IsSymbol('.') && tokens[j + 1].IsIdentifier)
                {
                    parts.Add(tokens[j + 1]);
                    j += 2;
                }

                if (parts.Count < 2 || j < tokens.Count && tokens[j].IsSymbol('('))
                {
                    i = j - 1;
                    continue;
                }

                var replacement = await ReplacementAsync(parts, j).ConfigureAwait(false);
                if (replacement is not null)
                {
                    text.Append(sql, copied, parts[0].Start - copied).Append(replacement);
                    copied = parts[^1].End;
                }

                i = j - 1;
            }

            return text.Append(sql, copied, sql.Length - copied).ToString();
        }

        private async Task<string?> ReplacementAsync(List<SqlToken> parts, int next)
        {
            var names = parts.Select(p => p.Value.ToLowerInvariant()).ToArray();
            if (names.Length >= 3 && IsLakeCatalog(names[0]) && IsLakeSchema(names[1]))
            {
                return string.Join(".", parts.Skip(2).Select(p => TrinoMetadata.Quote(p.Value)));
            }

            if (names.Length >= 2 && IsLakeSchema(names[0]) && (SessionCatalog is null || IsLakeCatalog(SessionCatalog)))
            {
                return string.Join(".", parts.Skip(1).Select(p => TrinoMetadata.Quote(p.Value)));
            }

            var (catalog, schema, table) = names.Length switch
            {
                3 => (names[0], names[1], names[2]),
                2 => (SessionCatalog ?? LakeCatalogs[0], names[0], names[1]),
                _ => (null, null, null),
            };
            if (catalog is null || schema is null || table is null || !TrinoMetadata.IsRelation(schema, table))
            {
                return null;
            }

            if (schema == TrinoMetadata.JdbcSchema && catalog != TrinoMetadata.SystemCatalog
                || schema == TrinoMetadata.InformationSchema && catalog != TrinoMetadata.SystemCatalog && !IsLakeCatalog(catalog))
            {
                return null;
            }

            var metadata = await MetadataAsync().ConfigureAwait(false);
            var relation = metadata.Relation(schema, table, catalog);
            return HasAlias(next) ? relation : relation + " AS " + TrinoMetadata.Quote(table);
        }

        private bool HasAlias(int next) =>
            next < tokens.Count && (tokens[next].Kind == SqlTokenKind.QuotedIdentifier || tokens[next].Kind == SqlTokenKind.Word && !ClauseWords.Contains(tokens[next].Value)
                || tokens[next].IsWord("AS"));

        private async Task<string> ShowAsync()
        {
            _position = 1;
            var what = Next("CATALOGS, SCHEMAS, TABLES, COLUMNS or SESSION");
            var metadata = await MetadataAsync().ConfigureAwait(false);
            if (what.IsWord("CATALOGS"))
            {
                var (like, escape) = ParseLike();
                End();
                return Listing("Catalog", metadata.Catalogs, like, escape);
            }

            if (what.IsWord("SCHEMAS"))
            {
                var catalog = SessionCatalog;
                if (AcceptFromOrIn())
                {
                    catalog = ParseName(1, 1)[0];
                }

                var (like, escape) = ParseLike();
                End();
                catalog = RequireCatalog(metadata, catalog);
                return Listing("Schema", metadata.SchemasOf(catalog), like, escape);
            }

            if (what.IsWord("TABLES"))
            {
                var (catalog, schema) = (SessionCatalog, SessionSchema);
                if (AcceptFromOrIn())
                {
                    var name = ParseName(1, 2);
                    (catalog, schema) = name.Length == 2 ? (name[0], name[1]) : (catalog, name[0]);
                }

                var (like, escape) = ParseLike();
                End();
                catalog = RequireCatalog(metadata, catalog);
                schema = RequireSchema(metadata, catalog, schema);
                return Listing("Table", metadata.TablesOf(catalog, schema).Select(t => t.Name), like, escape);
            }

            if (what.IsWord("COLUMNS"))
            {
                if (!AcceptFromOrIn())
                {
                    throw Syntax("SHOW COLUMNS needs FROM table");
                }

                return await ColumnsAsync().ConfigureAwait(false);
            }

            if (what.IsWord("SESSION"))
            {
                var (like, escape) = ParseLike();
                End();
                return "SELECT * FROM " + TrinoMetadata.Select(SessionColumns, []) + " AS t" + Like("Name", like, escape);
            }

            throw NotSupported($"SHOW {what.Value.ToUpperInvariant()} is not supported; SHOW CATALOGS, SCHEMAS, TABLES, COLUMNS and SESSION are");
        }

        /// <summary>The rest of <c>DESCRIBE t</c> or <c>SHOW COLUMNS FROM t [LIKE p]</c>.</summary>
        private async Task<string> ColumnsAsync()
        {
            var name = ParseName(1, 3);
            var (like, escape) = ParseLike();
            End();
            var metadata = await MetadataAsync().ConfigureAwait(false);
            var (catalog, schema, table) = name.Length switch
            {
                3 => (name[0], name[1], name[2]),
                2 => (SessionCatalog, name[0], name[1]),
                _ => (SessionCatalog, SessionSchema, name[0]),
            };
            catalog = RequireCatalog(metadata, catalog);
            schema = RequireSchema(metadata, catalog, schema);
            var found = metadata.Find(catalog, schema, table)
                ?? throw new QueryException(QueryErrors.TableNotFound, $"Table '{catalog}.{schema}.{table}' does not exist");
            var columns = new[] { ("Column", "VARCHAR"), ("Type", "VARCHAR"), ("Extra", "VARCHAR"), ("Comment", "VARCHAR") };
            var rows = found.Columns.Select(c => new object?[] { c.Name, c.Type, c.IsPartitionKey ? "partition key" : "", "" });
            return "SELECT * FROM " + TrinoMetadata.Select(columns, rows) + " AS t" + Like("Column", like, escape);
        }

        private async Task<Translation> UseAsync()
        {
            _position = 1;
            var name = ParseName(1, 2);
            End();
            var metadata = await MetadataAsync().ConfigureAwait(false);
            var (catalog, schema) = name.Length == 2 ? (name[0], name[1]) : (SessionCatalog, name[0]);
            catalog = RequireCatalog(metadata, catalog);
            schema = RequireSchema(metadata, catalog, schema);
            return new Translation.Use(catalog, schema);
        }

        private static string Listing(string column, IEnumerable<string> values, string? like, string? escape) =>
            $"SELECT * FROM {TrinoMetadata.Select([(column, "VARCHAR")], values.Order(StringComparer.Ordinal).Select(v => new object?[] { v }))} AS t"
            + Like(column, like, escape) + $" ORDER BY {TrinoMetadata.Quote(column)}";

        private static string Like(string column, string? like, string? escape) =>
            like is null ? "" : $" WHERE {TrinoMetadata.Quote(column)} LIKE {TrinoMetadata.SqlLiteral(like)}" + (escape is null ? "" : $" ESCAPE {TrinoMetadata.SqlLiteral(escape)}");

        private static string RequireCatalog(TrinoMetadata metadata, string? catalog)
        {
            if (catalog is null)
            {
                throw new QueryException(QueryErrors.GenericUserError, "Catalog must be specified when session catalog is not set");
            }

            return metadata.IsCatalog(catalog) ? catalog : throw new QueryException(QueryErrors.CatalogNotFound, $"Catalog '{catalog}' does not exist");
        }

        private string RequireSchema(TrinoMetadata metadata, string catalog, string? schema)
        {
            if (schema is null)
            {
                throw new QueryException(QueryErrors.GenericUserError, "Schema must be specified when session schema is not set");
            }

            // The client's own session schema names the lake's schema in a lake catalog.
            if (metadata.IsLakeCatalog(catalog) && IsLakeSchema(schema))
            {
                return metadata.Schema;
            }

            return metadata.SchemasOf(catalog).Contains(schema, StringComparer.Ordinal)
                ? schema
                : throw new QueryException(QueryErrors.SchemaNotFound, $"Schema '{catalog}.{schema}' does not exist");
        }

        private bool IsLakeCatalog(string name) => LakeCatalogs.Contains(name, StringComparer.Ordinal);

        private bool IsLakeSchema(string name) =>
            string.Equals(name, owner._settings.Schema, StringComparison.OrdinalIgnoreCase) || SessionSchema is { } own && name == own
                && own != TrinoMetadata.InformationSchema && own != TrinoMetadata.JdbcSchema;

        private async Task<TrinoMetadata> MetadataAsync() => _metadata ??= await owner.LoadMetadataAsync(session, cancellationToken).ConfigureAwait(false);

        /// <summary>A dotted name of <paramref name="min"/> to <paramref name="max"/> parts, lower case.</summary>
        private string[] ParseName(int min, int max)
        {
            var parts = new List<string>();
            while (true)
            {
                var part = Next("a name");
                if (!part.IsIdentifier)
                {
                    throw Syntax($"expected a name, found '{part.Value}'", part);
                }

                parts.Add(part.Value.ToLowerInvariant());
                if (Peek() is { } dot && dot.IsSymbol('.'))
                {
                    _position++;
                    continue;
                }

                break;
            }

            return parts.Count >= min && parts.Count <= max ? [.. parts] : throw Syntax($"expected a name of {min} to {max} parts, found '{string.Join(".", parts)}'");
        }

        private bool AcceptFromOrIn()
        {
            if (Peek() is { } word && (word.IsWord("FROM") || word.IsWord("IN")))
            {
                _position++;
                return true;
            }

            return false;
        }

        private (string? Like, string? Escape) ParseLike()
        {
            if (Peek() is not { } like || !like.IsWord("LIKE"))
            {
                return (null, null);
            }

            _position++;
            var pattern = Next("a LIKE pattern");
            if (pattern.Kind != SqlTokenKind.String)
            {
                throw Syntax("LIKE needs a string pattern", pattern);
            }

            if (Peek() is not { } escape || !escape.IsWord("ESCAPE"))
            {
                return (pattern.Value, null);
            }

            _position++;
            var character = Next("an ESCAPE string");
            return character.Kind == SqlTokenKind.String ? (pattern.Value, character.Value) : throw Syntax("ESCAPE needs a string", character);
        }

        private void End()
        {
            if (Peek() is { } extra)
            {
                throw Syntax($"unexpected '{extra.Value}'", extra);
            }
        }

        private SqlToken? Peek() => _position < tokens.Count ? tokens[_position] : null;

        private SqlToken Next(string expected) =>
            _position < tokens.Count ? tokens[_position++] : throw Syntax($"expected {expected} at the end of the statement");

        private QueryException Syntax(string message, SqlToken? at = null)
        {
            var (line, column) = SqlTokenizer.Position(sql, at?.Start ?? sql.Length);
            return new QueryException(QueryErrors.SyntaxError, $"line {line}:{column}: {message}", line: line, column: column);
        }

        private static QueryException NotSupported(string message) => new(QueryErrors.NotSupported, message);
    }
}
