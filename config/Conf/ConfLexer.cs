using System.Globalization;
using System.Text;

namespace Nats.OrleansRoutes.Config.Conf;

/// <summary>
/// The nats-server configuration lexer, reproduced behaviour for behaviour (including its
/// messages, line counting and byte-based positions) because the validator must refuse exactly
/// what nats-server 2.15.1 refuses. It is a state machine: each state reads some input, may emit
/// an item, and returns the next state; a stack of states remembers where to continue after a
/// nested value. Input is UTF-8; a NUL byte ends the input, as it does in nats-server.
/// </summary>
internal sealed partial class ConfLexer
{
    private const int EndOfInput = 0;

    private delegate State? State();

    private readonly byte[] _input;
    private readonly List<LexItem> _items = [];
    private readonly Stack<State> _returnTo = new();
    private readonly List<byte> _escaped = [];
    private bool _hasEscapes;
    private State _resumeAfterEscape;

    private int _start;
    private int _pos;
    private int _width;
    private int _line = 1;
    private int _lineStart;
    private int _itemLineStart;

    private ConfLexer(byte[] input)
    {
        _input = input;
        _resumeAfterEscape = BareString;
    }

    /// <summary>All items up to and including the first Error or Eof.</summary>
    public static List<LexItem> Lex(byte[] input)
    {
        var lexer = new ConfLexer(input);
        State? state = lexer.Top;
        while (state is not null)
            state = state();
        return lexer._items;
    }

    // ---- reading ---------------------------------------------------------------------------

    private int Next()
    {
        if (_pos >= _input.Length)
        {
            _width = 0;
            return EndOfInput;
        }
        if (_input[_pos] == (byte)'\n')
        {
            _line++;
            _lineStart = _pos;
        }
        var status = Rune.DecodeFromUtf8(_input.AsSpan(_pos), out var rune, out var consumed);
        _width = consumed;
        _pos += consumed;
        return status == System.Buffers.OperationStatus.Done ? rune.Value : Rune.ReplacementChar.Value;
    }

    private void Backup()
    {
        _pos -= _width;
        if (_pos < _input.Length && _input[_pos] == (byte)'\n')
            _line--;
    }

    private int Peek()
    {
        var r = Next();
        Backup();
        return r;
    }

    private void Ignore()
    {
        _start = _pos;
        _itemLineStart = _lineStart;
    }

    /// <summary>A state that first drops the pending input, then continues with <paramref name="next"/>.</summary>
    private State Skip(State next) => () =>
    {
        Ignore();
        return next;
    };

    private State? Pop()
    {
        if (_returnTo.Count == 0)
            return Fail("BUG in lexer: no states to pop.");
        return _returnTo.Pop();
    }

    // ---- emitting --------------------------------------------------------------------------

    private void Emit(LexKind kind)
    {
        var raw = _input.AsSpan(_start, _pos - _start);
        string value;
        int length;
        if (_hasEscapes)
        {
            _escaped.AddRange(raw);
            length = _escaped.Count;
            value = Encoding.UTF8.GetString([.. _escaped]);
            _escaped.Clear();
            _hasEscapes = false;
        }
        else
        {
            length = raw.Length;
            value = Encoding.UTF8.GetString(raw);
        }
        _items.Add(new LexItem(kind, value, _line, _pos - _itemLineStart - length));
        _start = _pos;
        _itemLineStart = _lineStart;
    }

    /// <summary>Emits an error item; lexing stops (the state machine gets no next state).</summary>
    private State? Fail(string message)
    {
        _items.Add(new LexItem(LexKind.Error, message, _line, _pos - _lineStart));
        return null;
    }

    /// <summary>A character as nats-server prints it inside an error: newline as \n, end of input as NUL.</summary>
    private static string Show(int r) => r switch
    {
        '\n' => "\\n",
        EndOfInput => "\0",
        _ => char.ConvertFromUtf32(r),
    };

    private void KeepEscapedPart(int dropAtEnd)
    {
        _escaped.AddRange(_input.AsSpan(_start, _pos - dropAtEnd - _start));
        _hasEscapes = true;
        _start = _pos;
    }

    private State AddEscaped(ReadOnlySpan<byte> bytes)
    {
        _escaped.AddRange(bytes);
        _hasEscapes = true;
        _start = _pos;
        return _resumeAfterEscape;
    }

    // ---- character classes -----------------------------------------------------------------

    private static bool IsBlank(int r) => r is ' ' or '\t';

    private static bool IsNewline(int r) => r is '\n' or '\r';

    private static bool IsKeySeparator(int r) => r is '=' or ':';

    private static bool IsSpace(int r) => r >= 0 && r <= 0x10FFFF && Rune.IsWhiteSpace(new Rune(r));

    private static bool IsDigit(int r) => r >= 0 && r <= 0x10FFFF && Rune.IsDigit(new Rune(r));

    private static bool IsSizeSuffix(int r) => r is 'k' or 'K' or 'm' or 'M' or 'g' or 'G' or 't' or 'T' or 'p' or 'P' or 'e' or 'E';

    /// <summary>What may follow an integer (digits or a size suffix) for it to stay an integer.</summary>
    private static bool EndsInteger(int r) => IsNewline(r) || r == EndOfInput || r == '}' || r == ';' || r == ',' || IsBlank(r);

    private static string Lower(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes).ToLower(CultureInfo.InvariantCulture);
}
