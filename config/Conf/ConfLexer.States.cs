namespace Nats.OrleansRoutes.Config.Conf;

// Top level, the optional outer braces, keys and include.
internal sealed partial class ConfLexer
{
    private State? Top()
    {
        var r = Next();
        if (IsSpace(r))
            return Skip(Top);
        switch (r)
        {
            case '{':
                _returnTo.Push(Top);
                return Skip(BlockStart);
            case '#':
                _returnTo.Push(Top);
                return CommentStart;
            case '/':
                if (Next() == '/')
                {
                    _returnTo.Push(Top);
                    return CommentStart;
                }
                Backup();
                return EndOrStray();
            case EndOfInput:
                return EndOrStray();
        }
        Backup();
        _returnTo.Push(TopValueEnd);
        return KeyStart;
    }

    /// <summary>End of input is fine unless something unread is pending (a lone '/').</summary>
    private State? EndOrStray()
    {
        if (_pos > _start)
            return Fail("Unexpected EOF.");
        Emit(LexKind.Eof);
        return null;
    }

    private State? TopValueEnd()
    {
        var r = Next();
        if (r == '#')
        {
            _returnTo.Push(Top);
            return CommentStart;
        }
        if (r == '/')
        {
            if (Next() == '/')
            {
                _returnTo.Push(Top);
                return CommentStart;
            }
            Backup();
            return TopValueEnd; // a lone '/' after a value is skipped like a blank
        }
        if (IsBlank(r))
            return TopValueEnd;
        if (IsNewline(r) || r == EndOfInput || r is ';' or ',' or '}')
        {
            Ignore();
            return Top;
        }
        return Fail($"Expected a top-level value to end with a new line, comment or EOF, but got '{Show(r)}' instead.");
    }

    // A '{' at the top level wraps the whole file (JSON style); entries inside end like top-level ones.
    private State? BlockStart()
    {
        var r = Next();
        if (IsSpace(r))
            return Skip(BlockStart);
        switch (r)
        {
            case '{':
                _returnTo.Push(BlockEnd);
                return Skip(BlockStart);
            case '}':
                Ignore();
                return Pop();
            case '#':
                _returnTo.Push(BlockStart);
                return CommentStart;
            case '/':
                if (Next() == '/')
                {
                    _returnTo.Push(BlockStart);
                    return CommentStart;
                }
                Backup();
                return EndOrStray();
            case EndOfInput:
                return EndOrStray();
        }
        Backup();
        _returnTo.Push(BlockValueEnd);
        return KeyStart;
    }

    private State? BlockValueEnd()
    {
        var r = Next();
        if (r == '#')
        {
            _returnTo.Push(BlockValueEnd);
            return CommentStart;
        }
        if (r == '/')
        {
            if (Next() == '/')
            {
                _returnTo.Push(BlockValueEnd);
                return CommentStart;
            }
            Backup();
            return BlockValueEnd;
        }
        if (IsBlank(r))
            return BlockValueEnd;
        if (IsNewline(r) || r is ';' or ',')
        {
            Ignore();
            return BlockStart;
        }
        if (r == '}')
        {
            Backup();
            return BlockEnd;
        }
        return Fail($"Expected a block-level value to end with a new line, comment or EOF, but got '{Show(r)}' instead.");
    }

    private State? BlockEnd()
    {
        var r = Next();
        if (r == '#')
        {
            _returnTo.Push(BlockStart);
            return CommentStart;
        }
        if (r == '/')
        {
            if (Next() == '/')
            {
                _returnTo.Push(BlockStart);
                return CommentStart;
            }
            Backup();
            return BlockEnd;
        }
        if (IsNewline(r) || IsBlank(r))
            return BlockEnd;
        if (r is ';' or ',')
        {
            Ignore();
            return BlockStart;
        }
        if (r == '}')
        {
            Ignore();
            return Pop();
        }
        return Fail($"Expected a block-level to end with a '}}', but got '{Show(r)}' instead.");
    }

    private State? KeyStart()
    {
        var r = Peek();
        if (IsKeySeparator(r))
            return Fail($"Unexpected key separator '{Show(r)}'");
        if (IsSpace(r))
        {
            Next();
            return Skip(KeyStart);
        }
        if (r == '"')
        {
            Next();
            return Skip(DoubleQuotedKey);
        }
        if (r == '\'')
        {
            Next();
            return Skip(SingleQuotedKey);
        }
        Ignore();
        Next();
        return BareKey;
    }

    private State? DoubleQuotedKey() => QuotedKey('"', DoubleQuotedKey);

    private State? SingleQuotedKey() => QuotedKey('\'', SingleQuotedKey);

    private State? QuotedKey(char quote, State self)
    {
        var r = Peek();
        if (r == quote)
        {
            Emit(LexKind.Key);
            Next();
            return Skip(KeyEnd);
        }
        if (r == EndOfInput)
            return EndOrStray();
        Next();
        return self;
    }

    private State? BareKey()
    {
        var r = Peek();
        if (IsSpace(r))
            return KeyOrInclude(KeyEnd, null);
        if (IsKeySeparator(r) || r == EndOfInput)
        {
            Emit(LexKind.Key);
            return KeyEnd;
        }
        Next();
        return BareKey;
    }

    /// <summary>A bare key "include" (any case) followed by a space starts an include instead.</summary>
    private State KeyOrInclude(State afterKey, State? afterInclude)
    {
        if (Lower(_input.AsSpan(_start, _pos - _start)) == "include")
        {
            Ignore();
            if (afterInclude is not null)
                _returnTo.Push(afterInclude);
            return IncludeStart;
        }
        Emit(LexKind.Key);
        return afterKey;
    }

    private State? KeyEnd()
    {
        var r = Next();
        if (IsSpace(r))
            return Skip(KeyEnd);
        if (IsKeySeparator(r))
            return Skip(Value);
        if (r == EndOfInput)
        {
            Emit(LexKind.Eof);
            return null;
        }
        Backup();
        return Value;
    }

    private State? IncludeStart()
    {
        var r = Next();
        if (IsBlank(r))
            return Skip(IncludeStart);
        Backup();
        return Include;
    }

    private State? Include()
    {
        var r = Next();
        switch (r)
        {
            case '\'':
                Ignore();
                return IncludeSingleQuoted;
            case '"':
                Ignore();
                return IncludeDoubleQuoted;
            case '[':
                return Fail("Expected include value but found start of an array");
            case '{':
                return Fail("Expected include value but found start of a map");
            case '(':
                return Fail("Expected include value but found start of a block");
            case '\\':
                return Fail("Expected include value but found escape sequence");
        }
        if (IsDigit(r) || r == '-')
            return Fail("Expected include value but found start of a number");
        if (IsNewline(r))
            return Fail("Expected include value but found new line");
        Backup();
        return IncludeBare;
    }

    private State? IncludeSingleQuoted() => IncludeQuoted('\'', "Unexpected EOF in quoted include", IncludeSingleQuoted);

    private State? IncludeDoubleQuoted() => IncludeQuoted('"', "Unexpected EOF in double quoted include", IncludeDoubleQuoted);

    private State? IncludeQuoted(char quote, string eofMessage, State self)
    {
        var r = Next();
        if (r == quote)
        {
            Backup();
            Emit(LexKind.Include);
            Next();
            Ignore();
            return Pop();
        }
        return r == EndOfInput ? Fail(eofMessage) : self;
    }

    private State? IncludeBare()
    {
        var r = Next();
        if (IsNewline(r) || r == EndOfInput || r is ';' or '}' || IsBlank(r))
        {
            Backup();
            Emit(LexKind.Include);
            return Pop();
        }
        if (r == '\'')
        {
            Backup();
            Emit(LexKind.Include);
            Next();
            Ignore();
            return Pop();
        }
        return IncludeBare;
    }

    private State? CommentStart()
    {
        Ignore();
        Emit(LexKind.CommentStart);
        return Comment;
    }

    private State? Comment()
    {
        var r = Peek();
        if (IsNewline(r) || r == EndOfInput)
        {
            Emit(LexKind.Text);
            return Pop();
        }
        Next();
        return Comment;
    }
}
