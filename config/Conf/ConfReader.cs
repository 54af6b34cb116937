using System.Globalization;
using System.Text;

namespace Nats.OrleansRoutes.Config.Conf;

/// <summary>
/// Reads a nats-server configuration file into <see cref="ConfValue"/>s, as nats-server's parser
/// does: values are assigned to keys through a key stack (so a key without a value shifts the
/// next value onto it, as in nats-server), a value stored in a map takes its key's position,
/// <c>$NAME</c> resolves against enclosing maps then the environment, and <c>include</c> merges
/// another file's keys into the current map. Problems are returned as diagnostics with
/// file, line and column, never thrown.
/// </summary>
public sealed partial class ConfReader
{
    private readonly string _file;
    private readonly string _directory;
    private readonly ConfReaderOptions _options;
    private readonly int _depth;
    private readonly HashSet<string> _resolvingEnvironment;
    private readonly bool _fromEnvironment;
    private readonly SourceLocation? _environmentLocation;
    private readonly List<object> _contexts = [];
    private readonly List<(string Key, SourceLocation Location)> _keys = [];

    private ConfReader(string file, ConfReaderOptions options, int depth, HashSet<string> resolving,
        SourceLocation? environmentLocation = null)
    {
        _file = file;
        _directory = Path.GetDirectoryName(file) is { Length: > 0 } dir ? dir : ".";
        _options = options;
        _depth = depth;
        _resolvingEnvironment = resolving;
        _fromEnvironment = environmentLocation is not null;
        _environmentLocation = environmentLocation;
    }

    /// <summary>Reads a file. <paramref name="path"/> is reported in diagnostics exactly as given.</summary>
    public static ConfReadResult ReadFile(string path, ConfReaderOptions? options = null) =>
        ReadFile(path, options ?? ConfReaderOptions.Default, depth: 0);

    /// <summary>Reads configuration text as if it were the file <paramref name="fileName"/>.</summary>
    public static ConfReadResult ReadText(string text, string fileName, ConfReaderOptions? options = null) =>
        new ConfReader(fileName, options ?? ConfReaderOptions.Default, 0, []).Read(Encoding.UTF8.GetBytes(text));

    private static ConfReadResult ReadFile(string path, ConfReaderOptions options, int depth)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(null, $"open {path}: {Describe(e)}");
        }
        return new ConfReader(path, options, depth, []).Read(bytes);
    }

    private ConfReadResult Read(byte[] input)
    {
        var root = new MapBuilder(Location(1, 0));
        _contexts.Add(root);
        var items = ConfLexer.Lex(input);
        LexItem previous = default;
        foreach (var item in items)
        {
            if (item.Kind == LexKind.Eof)
            {
                if (previous.Kind == LexKind.Key && previous.Value != "}")
                    return Failed(Location(item.Line, item.Pos), $"config is invalid ({_file}:{item.Line}:{item.Pos})");
                break;
            }
            previous = item;
            if (Process(item) is { } failure)
                return new ConfReadResult(null, [failure]);
        }
        return new ConfReadResult(root.Build(), []);
    }

    private ConfDiagnostic? Process(LexItem item)
    {
        switch (item.Kind)
        {
            case LexKind.Error:
                return Error(Location(item.Line, item.Pos), item.Value);
            case LexKind.Key:
                _keys.Add((item.Value, Location(item.Line, item.Pos)));
                return null;
            case LexKind.MapStart:
                _contexts.Add(new MapBuilder(Location(item.Line, item.Pos)));
                return null;
            case LexKind.MapEnd:
                return Store(Pop<MapBuilder>().Build() with { Location = Location(item.Line, item.Pos) });
            case LexKind.ArrayStart:
                _contexts.Add(new ArrayBuilder());
                return null;
            case LexKind.ArrayEnd:
                return Store(new ConfArray(Pop<ArrayBuilder>().Items, Location(item.Line, item.Pos)));
            case LexKind.String:
                return Store(new ConfString(item.Value, Location(item.Line, item.Pos)));
            case LexKind.Bool:
                return Store(new ConfBool(item.Value.ToLowerInvariant() is "true" or "yes" or "on", Location(item.Line, item.Pos)));
            case LexKind.Integer:
                return StoreInteger(item);
            case LexKind.Float:
                if (!double.TryParse(item.Value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                    return Error(Location(item.Line, item.Pos), $"expected float, but got '{item.Value}'");
                if (double.IsInfinity(number))
                    return Error(Location(item.Line, item.Pos), $"float '{item.Value}' is out of the range");
                return Store(new ConfFloat(number, Location(item.Line, item.Pos)));
            case LexKind.Datetime:
                if (!DateTimeOffset.TryParseExact(item.Value, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal, out var when))
                    return Error(Location(item.Line, item.Pos), $"expected Zulu formatted DateTime, but got '{item.Value}'");
                return Store(new ConfDateTime(when, Location(item.Line, item.Pos)));
            case LexKind.Variable:
                return StoreVariable(item);
            case LexKind.Include:
                return StoreInclude(item);
            default:
                return null; // comments
        }
    }

    private T Pop<T>() where T : class
    {
        var top = _contexts[^1];
        _contexts.RemoveAt(_contexts.Count - 1);
        return (T)top;
    }

    /// <summary>
    /// Puts a value into the current array, or into the current map under the most recent
    /// pending key; a map value takes its key's position (option errors point at keys).
    /// </summary>
    private ConfDiagnostic? Store(ConfValue value)
    {
        switch (_contexts[^1])
        {
            case ArrayBuilder array:
                array.Items.Add(value);
                return null;
            case MapBuilder map:
                if (_keys.Count == 0)
                    return Error(value.Location, $"config is invalid ({_file}:{value.Location.Line}:{value.Location.Column}): a value has no key");
                var (key, keyLocation) = _keys[^1];
                _keys.RemoveAt(_keys.Count - 1);
                map.Set(new ConfEntry(key, keyLocation, value with { Location = keyLocation }));
                return null;
            default:
                return null;
        }
    }

    private ConfDiagnostic? StoreInteger(LexItem item)
    {
        var text = item.Value;
        var digits = 0;
        while (digits < text.Length && (char.IsDigit(text[digits]) || text[digits] == '-'))
            digits++;
        if (!long.TryParse(text.AsSpan(0, digits), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            var overflow = digits > 0 && text[..digits].TrimStart('-').All(char.IsAsciiDigit);
            return Error(Location(item.Line, item.Pos), overflow ? $"integer '{text}' is out of the range" : $"expected integer, but got '{text}'");
        }
        long? multiplier = text[digits..].Trim().ToLowerInvariant() switch
        {
            "" => 1,
            "k" => 1000,
            "kb" or "ki" or "kib" => 1024,
            "m" => 1000_000,
            "mb" or "mi" or "mib" => 1 << 20,
            "g" => 1000_000_000,
            "gb" or "gi" or "gib" => 1L << 30,
            "t" => 1000_000_000_000,
            "tb" or "ti" or "tib" => 1L << 40,
            "p" => 1000_000_000_000_000,
            "pb" or "pi" or "pib" => 1L << 50,
            "e" => 1000_000_000_000_000_000,
            "eb" or "ei" or "eib" => 1L << 60,
            // nats-server stores nothing for other suffix combinations (e.g. "1kbb").
            _ => null,
        };
        if (multiplier is not { } m)
            return null;
        return Store(new ConfInteger(unchecked(number * m), Location(item.Line, item.Pos)));
    }

    private SourceLocation Location(int line, int pos) =>
        _fromEnvironment ? _environmentLocation!.Value : new SourceLocation(_file, line, line == 1 ? pos + 1 : pos);

    private static ConfDiagnostic Error(SourceLocation? at, string message) =>
        new(DiagnosticSeverity.Error, DiagnosticPhase.Parse, at, message);

    private static ConfReadResult Failed(SourceLocation? at, string message) => new(null, [Error(at, message)]);

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
