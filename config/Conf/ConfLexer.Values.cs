namespace Nats.OrleansRoutes.Config.Conf;

// Values: arrays, maps, strings, block strings.
internal sealed partial class ConfLexer
{
    private State? Value()
    {
        var r = Next();
        if (IsBlank(r))
            return Skip(Value);
        switch (r)
        {
            case '[':
                Ignore();
                Emit(LexKind.ArrayStart);
                return ArrayValue;
            case '{':
                Ignore();
                Emit(LexKind.MapStart);
                return MapKeyStart;
            case '\'':
                Ignore();
                return SingleQuotedString;
            case '"':
                Ignore();
                _resumeAfterEscape = DoubleQuotedString;
                return DoubleQuotedString;
            case '-':
                return NegativeNumberStart;
            case '(':
                Ignore();
                return BlockString;
            case '.':
                return Fail("Floats must start with a digit");
        }
        if (IsDigit(r))
        {
            Backup();
            return NumberStart;
        }
        if (IsNewline(r))
            return Fail("Expected value but found new line");
        Backup();
        _resumeAfterEscape = BareString;
        return BareString;
    }

    // ---- arrays ----------------------------------------------------------------------------

    private State? ArrayValue()
    {
        var r = Next();
        if (IsSpace(r))
            return Skip(ArrayValue);
        if (r == '#')
        {
            _returnTo.Push(ArrayValue);
            return CommentStart;
        }
        if (r == '/')
        {
            if (Next() == '/')
            {
                _returnTo.Push(ArrayValue);
                return CommentStart;
            }
            Backup();
            return Fail("Unexpected array value terminator ','.");
        }
        if (r == ',')
            return Fail("Unexpected array value terminator ','.");
        if (r == ']')
            return ArrayEnd;
        Backup();
        _returnTo.Push(ArrayValueEnd);
        return Value;
    }

    private State? ArrayValueEnd()
    {
        var r = Next();
        if (IsBlank(r))
            return Skip(ArrayValueEnd);
        if (r == '#')
        {
            _returnTo.Push(ArrayValueEnd);
            return CommentStart;
        }
        if (r == '/')
        {
            if (Next() == '/')
            {
                _returnTo.Push(ArrayValueEnd);
                return CommentStart;
            }
            Backup();
            return Skip(ArrayValue);
        }
        if (r == ',' || IsNewline(r))
            return Skip(ArrayValue);
        if (r == ']')
            return ArrayEnd;
        return Fail($"Expected an array value terminator \",\" or an array terminator \"]\", but got '{Show(r)}' instead.");
    }

    private State? ArrayEnd()
    {
        Ignore();
        Emit(LexKind.ArrayEnd);
        return Pop();
    }

    // ---- maps ------------------------------------------------------------------------------

    private State? MapKeyStart()
    {
        var r = Peek();
        if (IsKeySeparator(r))
            return Fail($"Unexpected key separator '{Show(r)}'.");
        if (r == ']')
            return Fail("Unexpected array end ']' processing map.");
        if (IsSpace(r))
        {
            Next();
            return Skip(MapKeyStart);
        }
        switch (r)
        {
            case '}':
                Next();
                return Skip(MapEnd);
            case '#':
                Next();
                _returnTo.Push(MapKeyStart);
                return CommentStart;
            case '/':
                Next();
                if (Next() == '/')
                {
                    _returnTo.Push(MapKeyStart);
                    return CommentStart;
                }
                Backup();
                break; // the lone '/' is dropped and a key starts at the next character
            case '\'':
                Next();
                return Skip(MapSingleQuotedKey);
            case '"':
                Next();
                return Skip(MapDoubleQuotedKey);
            case EndOfInput:
                return Fail("Unexpected EOF processing map.");
        }
        Ignore();
        Next();
        return MapKey;
    }

    private State? MapSingleQuotedKey() => MapQuotedKey('\'', "Unexpected EOF processing quoted map key.", MapSingleQuotedKey);

    private State? MapDoubleQuotedKey() => MapQuotedKey('"', "Unexpected EOF processing double quoted map key.", MapDoubleQuotedKey);

    private State? MapQuotedKey(char quote, string eofMessage, State self)
    {
        var r = Peek();
        if (r == EndOfInput)
            return Fail(eofMessage);
        if (r == quote)
        {
            Emit(LexKind.Key);
            Next();
            return Skip(MapKeyEnd);
        }
        Next();
        return self;
    }

    private State? MapKey()
    {
        var r = Peek();
        if (r == EndOfInput)
            return Fail("Unexpected EOF processing map key.");
        if (IsSpace(r))
            return KeyOrInclude(MapKeyEnd, MapValueEnd);
        if (IsKeySeparator(r))
        {
            Emit(LexKind.Key);
            return MapKeyEnd;
        }
        Next();
        return MapKey;
    }

    private State? MapKeyEnd()
    {
        var r = Next();
        if (IsSpace(r))
            return Skip(MapKeyEnd);
        if (IsKeySeparator(r))
            return Skip(MapValue);
        Backup();
        return MapValue;
    }

    private State? MapValue()
    {
        var r = Next();
        if (IsSpace(r))
            return Skip(MapValue);
        if (r == ',')
            return Fail("Unexpected map value terminator \",\".");
        if (r == '}')
            return Skip(MapEnd);
        Backup();
        _returnTo.Push(MapValueEnd);
        return Value;
    }

    private State? MapValueEnd()
    {
        var r = Next();
        if (IsBlank(r))
            return Skip(MapValueEnd);
        if (r == '#')
        {
            _returnTo.Push(MapValueEnd);
            return CommentStart;
        }
        if (r == '/')
        {
            if (Next() == '/')
            {
                _returnTo.Push(MapValueEnd);
                return CommentStart;
            }
            Backup();
            return Skip(MapKeyStart);
        }
        if (r is ';' or ',' || IsNewline(r))
            return Skip(MapKeyStart);
        if (r == '}')
            return Skip(MapEnd);
        return Fail($"Expected a map value terminator \",\" or a map terminator \"}}\", but got '{Show(r)}' instead.");
    }

    private State? MapEnd()
    {
        Ignore();
        Emit(LexKind.MapEnd);
        return Pop();
    }

    // ---- strings ---------------------------------------------------------------------------

    private State? SingleQuotedString()
    {
        var r = Next();
        if (r == '\'')
        {
            Backup();
            Emit(LexKind.String);
            Next();
            Ignore();
            return Pop();
        }
        if (r == EndOfInput)
            return EndOrStray();
        return SingleQuotedString;
    }

    private State? DoubleQuotedString()
    {
        var r = Next();
        if (r == '\\')
        {
            KeepEscapedPart(1);
            return StringEscape;
        }
        if (r == '"')
        {
            Backup();
            Emit(LexKind.String);
            Next();
            Ignore();
            return Pop();
        }
        if (r == EndOfInput)
            return EndOrStray();
        return DoubleQuotedString;
    }

    /// <summary>An unquoted value: a string, or a boolean or a $variable when it has no escapes.</summary>
    private State? BareString()
    {
        var r = Next();
        if (r == '\\')
        {
            KeepEscapedPart(1);
            return StringEscape;
        }
        if (IsNewline(r) || r == EndOfInput || r is ';' or ',' or ']' or '}' || IsBlank(r))
        {
            Backup();
            if (_hasEscapes)
            {
                Emit(LexKind.String);
            }
            else if (Lower(_input.AsSpan(_start, _pos - _start)) is "true" or "false" or "on" or "off" or "yes" or "no")
            {
                Emit(LexKind.Bool);
            }
            else if (_start < _input.Length && _input[_start] == (byte)'$')
            {
                _start++;
                Emit(LexKind.Variable);
            }
            else
            {
                Emit(LexKind.String);
            }
            return Pop();
        }
        if (r == '\'')
        {
            Backup();
            Emit(LexKind.String);
            Next();
            Ignore();
            return Pop();
        }
        return BareString;
    }

    private State? StringEscape()
    {
        var r = Next();
        return r switch
        {
            'x' => StringHexEscape,
            't' => AddEscaped("\t"u8),
            'n' => AddEscaped("\n"u8),
            'r' => AddEscaped("\r"u8),
            '"' => AddEscaped("\""u8),
            '\\' => AddEscaped("\\"u8),
            _ => Fail($"Invalid escape character '{Show(r)}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\."),
        };
    }

    private State? StringHexEscape()
    {
        if (IsNewline(Next()) || IsNewline(Next()))
            return Fail("Expected two hexadecimal digits after '\\x', but hit end of line");
        var at = Math.Max(0, _pos - 2);
        var pair = _input.AsSpan(at, _pos - at);
        if (pair.Length == 2 && IsHex(pair[0]) && IsHex(pair[1]))
            return AddEscaped([Convert.ToByte(System.Text.Encoding.ASCII.GetString(pair), 16)]);
        return Fail($"Expected two hexadecimal digits after '\\x', but got '{System.Text.Encoding.UTF8.GetString(pair)}'");
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    /// <summary>
    /// <c>( … )</c>: raw text up to a ')' that stands alone on its own line (a newline before it,
    /// a newline or the end of input after it). The newlines around the text are part of the value.
    /// </summary>
    private State? BlockString()
    {
        var r = Next();
        if (r == ')')
        {
            Backup();
            Backup();
            if (Next() != '\n')
            {
                Next();
                return BlockString;
            }
            Next();
            var after = Next();
            if (after is '\n' or EndOfInput)
            {
                Backup();
                Backup();
                Emit(LexKind.String);
                Next();
                Ignore();
                return Pop();
            }
            Backup();
            return BlockString;
        }
        if (r == EndOfInput)
            return Fail("Unexpected EOF processing block.");
        return BlockString;
    }
}
