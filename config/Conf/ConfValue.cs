using System.Globalization;

namespace Nats.OrleansRoutes.Config.Conf;

/// <summary>A value read from a nats-server configuration file, with where it was written.</summary>
public abstract record ConfValue(SourceLocation Location)
{
    /// <summary>The Go type name nats-server would report for this value in a type error.</summary>
    public abstract string GoTypeName { get; }
}

public sealed record ConfString(string Value, SourceLocation Location) : ConfValue(Location)
{
    public override string GoTypeName => "string";
    public override string ToString() => Value;
}

public sealed record ConfInteger(long Value, SourceLocation Location) : ConfValue(Location)
{
    public override string GoTypeName => "int64";
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

public sealed record ConfFloat(double Value, SourceLocation Location) : ConfValue(Location)
{
    public override string GoTypeName => "float64";
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

public sealed record ConfBool(bool Value, SourceLocation Location) : ConfValue(Location)
{
    public override string GoTypeName => "bool";
    public override string ToString() => Value ? "true" : "false";
}

public sealed record ConfDateTime(DateTimeOffset Value, SourceLocation Location) : ConfValue(Location)
{
    public override string GoTypeName => "time.Time";
    public override string ToString() => Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

public sealed record ConfArray(IReadOnlyList<ConfValue> Items, SourceLocation Location) : ConfValue(Location)
{
    public override string GoTypeName => "[]interface {}";
}

/// <summary>One <c>key: value</c> of a map, with the key's own location (option errors point at the key).</summary>
public sealed record ConfEntry(string Key, SourceLocation KeyLocation, ConfValue Value)
{
    /// <summary>The key is referenced as a <c>$variable</c> somewhere, so it is a definition, not an unknown option.</summary>
    public bool UsedAsVariable { get; set; }
}

/// <summary>A map in file order. A repeated key replaces the earlier entry, as in nats-server.</summary>
public sealed record ConfMap(IReadOnlyList<ConfEntry> Entries, SourceLocation Location) : ConfValue(Location)
{
    public override string GoTypeName => "map[string]interface {}";

    /// <summary>The entry for a key, matched case-insensitively as nats-server's option parsers match them.</summary>
    public ConfEntry? Find(string key)
    {
        for (var i = Entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
                return Entries[i];
        }
        return null;
    }
}
