namespace Nats.OrleansRoutes.Config.Conf;

public sealed partial class ConfReader
{
    /// <summary>
    /// <c>$NAME</c>: the innermost enclosing map that already defines NAME, else the environment,
    /// whose value is itself read as a configuration value (so <c>PORT=6222</c> is an integer).
    /// Unquoted values starting with <c>$2a$</c> are bcrypt hashes, not references.
    /// </summary>
    private ConfDiagnostic? StoreVariable(LexItem item)
    {
        var at = Location(item.Line, item.Pos);
        if (item.Value.StartsWith("2a$", StringComparison.Ordinal))
            return Store(new ConfString("$" + item.Value, at));

        for (var i = _contexts.Count - 1; i >= 0; i--)
        {
            if (_contexts[i] is MapBuilder map && map.TryGet(item.Value, out var entry))
            {
                entry.UsedAsVariable = true;
                return Store(entry.Value with { Location = at });
            }
        }

        var name = item.Value;
        if (_resolvingEnvironment.Contains(name))
            return Error(at, $"variable reference for '{name}' on line {item.Line} could not be parsed: variable reference cycle for '{name}'");
        if (_options.Environment(name) is not { } text)
            return Error(at, $"variable reference for '{name}' on line {item.Line} can not be found");

        _resolvingEnvironment.Add(name);
        try
        {
            var sub = new ConfReader(_file, _options, _depth, _resolvingEnvironment, at);
            var parsed = sub.Read(System.Text.Encoding.UTF8.GetBytes($"pk={text}"));
            if (parsed.Root is null)
            {
                var inner = parsed.Diagnostics[0].Message;
                if (!inner.StartsWith("variable reference", StringComparison.Ordinal))
                    inner = $"Parse error on line 1: '{inner}'";
                return Error(at, $"variable reference for '{name}' on line {item.Line} could not be parsed: {inner}");
            }
            var value = parsed.Root.Find("pk")?.Value;
            if (value is null)
                return Error(at, $"variable reference for '{name}' on line {item.Line} can not be found");
            return Store(value with { Location = at });
        }
        finally
        {
            _resolvingEnvironment.Remove(name);
        }
    }

    /// <summary>
    /// <c>include PATH</c>: PATH is always joined to the including file's directory (even when
    /// absolute, as nats-server does); the included file has its own variable scope, and its
    /// top-level keys are stored into the current map.
    /// </summary>
    private ConfDiagnostic? StoreInclude(LexItem item)
    {
        var at = Location(item.Line, item.Pos);
        var path = GoPath.Join(_directory, item.Value);
        if (_depth >= _options.MaxIncludeDepth)
            return Error(at, $"error parsing include file '{item.Value}', includes nested more than {_options.MaxIncludeDepth} deep (an include cycle?)");
        var included = ReadFile(path, _options, _depth + 1);
        if (included.Root is null)
        {
            var inner = included.Diagnostics[0];
            return Error(inner.Location ?? at, $"error parsing include file '{item.Value}', {inner.Message}");
        }
        foreach (var entry in included.Root.Entries)
        {
            _keys.Add((entry.Key, entry.KeyLocation));
            if (Store(entry.Value) is { } failure)
                return failure;
        }
        return null;
    }
}
