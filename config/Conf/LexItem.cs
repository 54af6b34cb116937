namespace Nats.OrleansRoutes.Config.Conf;

internal enum LexKind : byte
{
    Error,
    Eof,
    Key,
    Text,
    String,
    Bool,
    Integer,
    Float,
    Datetime,
    ArrayStart,
    ArrayEnd,
    MapStart,
    MapEnd,
    CommentStart,
    Variable,
    Include,
}

/// <summary>
/// One lexer item. <see cref="Pos"/> is nats-server's column: a byte offset from the character
/// that ends the previous line, so it is 0-based on line 1 and 1-based on every other line.
/// </summary>
internal readonly record struct LexItem(LexKind Kind, string Value, int Line, int Pos);
