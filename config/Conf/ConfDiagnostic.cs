namespace Nats.OrleansRoutes.Config.Conf;

public enum DiagnosticSeverity
{
    Error,
    /// <summary>nats-server starts with it (and <c>-t</c> treats it as an error).</summary>
    Warning,
}

/// <summary>When nats-server reports the problem.</summary>
public enum DiagnosticPhase
{
    /// <summary>While reading the file (lexical errors, variables, includes).</summary>
    Parse,
    /// <summary>While processing options (also reported by <c>nats-server -t</c>).</summary>
    Options,
    /// <summary>Only when the server starts (<c>-t</c> passes).</summary>
    Startup,
}

/// <summary>One problem found in a configuration file.</summary>
public sealed record ConfDiagnostic(DiagnosticSeverity Severity, DiagnosticPhase Phase, SourceLocation? Location, string Message)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary><c>FILE:LINE:COL: message</c>, with <c>warning: </c> before the message of a warning.</summary>
    public override string ToString()
    {
        var prefix = Location is { } at ? $"{at}: " : "";
        return Severity == DiagnosticSeverity.Warning ? $"{prefix}warning: {Message}" : $"{prefix}{Message}";
    }
}
