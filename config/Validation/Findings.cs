using Nats.OrleansRoutes.Config.Conf;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>Collects what the checks find, in the order they find it.</summary>
internal sealed class Findings
{
    private readonly List<ConfDiagnostic> _items = [];

    public IReadOnlyList<ConfDiagnostic> Items => _items;

    public bool HasErrors => _items.Any(d => d.IsError);

    public void Error(SourceLocation? at, string message) =>
        _items.Add(new ConfDiagnostic(DiagnosticSeverity.Error, DiagnosticPhase.Options, at, message));

    public void Warning(SourceLocation? at, string message) =>
        _items.Add(new ConfDiagnostic(DiagnosticSeverity.Warning, DiagnosticPhase.Options, at, message));

    /// <summary>An error nats-server only reports when it starts (<c>-t</c> passes).</summary>
    public void StartupError(string message) =>
        _items.Add(new ConfDiagnostic(DiagnosticSeverity.Error, DiagnosticPhase.Startup, null, message));

    /// <summary>nats-server's type-assertion failure, e.g. "interface conversion: interface {} is string, not int64".</summary>
    public void WrongType(ConfValue value, string expected) =>
        Error(value.Location, $"interface conversion: interface {{}} is {value.GoTypeName}, not {expected}");

    public void UnknownField(ConfEntry entry) =>
        Error(entry.KeyLocation, $"unknown field {Go.GoQuote.Quote(entry.Key)}");

    /// <summary>The shape nats-server uses for a warning about one field.</summary>
    public void InvalidUse(SourceLocation at, string field, string reason) =>
        Warning(at, $"invalid use of field {Go.GoQuote.Quote(field)}: {reason}");

    public void Add(ConfDiagnostic diagnostic) => _items.Add(diagnostic);
}
