namespace Me3.Streams.Settings;

/// <summary>
/// Sends events of one <c>event_type</c> to one lake table with the given event columns.
/// </summary>
/// <param name="EventType">The <c>event_type</c> value to match, exactly.</param>
/// <param name="Table">The table name; a lower-case identifier (<c>[a-z][a-z0-9_]*</c>).</param>
/// <param name="Columns">
/// The text columns filled from the event's fields, in table order. A field matches a column when its name,
/// lower-cased with <c>-</c> turned into <c>_</c>, equals the column name (<c>User-Agent</c> → <c>user_agent</c>).
/// </param>
public sealed record EventRoute(string EventType, string Table, IReadOnlyList<string> Columns);
