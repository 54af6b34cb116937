namespace Nats.OrleansRoutes.Config.Conf;

// Values that start with a digit or '-': integers (with size suffixes), floats, datetimes,
// and the strings they turn into when something else follows the digits (10s, 127.0.0.1:4222).
internal sealed partial class ConfLexer
{
    private State? NumberStart()
    {
        var r = Next();
        if (!IsDigit(r))
            return r == '.' ? Fail("Floats must start with a digit, not '.'.") : Fail($"Expected a digit but got '{Show(r)}'.");
        return NumberOrDateOrString;
    }

    private State? NumberOrDateOrString()
    {
        var r = Next();
        if (r == '-')
        {
            // Only a four-digit year may be followed by '-'.
            return _pos - _start == 5 ? DateAfterYear : Fail("All ISO8601 dates must be in full Zulu form.");
        }
        if (IsDigit(r))
            return NumberOrDateOrString;
        if (r == '.')
            return FloatStart;
        if (IsSizeSuffix(r))
            return SizeSuffix;
        if (!EndsInteger(r))
        {
            // "10s", "0x10", "5#c": the whole value is a string (the character is already consumed).
            _resumeAfterEscape = BareString;
            return BareString;
        }
        Backup();
        Emit(LexKind.Integer);
        return Pop();
    }

    /// <summary>After k/m/g/t/p/e: any run of b/B/i/I, then the integer must end, else it is a string (2.15.1).</summary>
    private State? SizeSuffix()
    {
        var r = Next();
        if (r is 'b' or 'B' or 'i' or 'I')
            return SizeSuffix;
        Backup();
        if (EndsInteger(r))
        {
            Emit(LexKind.Integer);
            return Pop();
        }
        _resumeAfterEscape = BareString;
        return BareString;
    }

    private State? NegativeNumberStart()
    {
        var r = Next();
        if (!IsDigit(r))
            return r == '.' ? Fail("Floats must start with a digit, not '.'.") : Fail($"Expected a digit but got '{Show(r)}'.");
        return NegativeNumber;
    }

    private State? NegativeNumber()
    {
        var r = Next();
        if (IsDigit(r))
            return NegativeNumber;
        if (r == '.')
            return FloatStart;
        if (IsSizeSuffix(r))
            return SizeSuffix;
        Backup();
        Emit(LexKind.Integer);
        return Pop();
    }

    private State? FloatStart()
    {
        var r = Next();
        return IsDigit(r) ? Float : Fail($"Floats must have a digit after the '.', but got '{Show(r)}' instead.");
    }

    private State? Float()
    {
        var r = Next();
        if (IsDigit(r))
            return Float;
        if (r == '.')
            return DottedString;
        Backup();
        Emit(LexKind.Float);
        return Pop();
    }

    /// <summary>A second '.' makes an address-like string: digits, '.', ':' and '-' (127.0.0.1:4222).</summary>
    private State? DottedString()
    {
        var r = Next();
        if (IsDigit(r) || r is '.' or ':' or '-')
            return DottedString;
        Backup();
        Emit(LexKind.String);
        return Pop();
    }

    private static readonly string DatePattern = "00-00T00:00:00Z";

    private State? DateAfterYear()
    {
        foreach (var expected in DatePattern)
        {
            var r = Next();
            if (expected == '0')
            {
                if (!IsDigit(r))
                    return Fail($"Expected digit in ISO8601 datetime, but found '{Show(r)}' instead.");
            }
            else if (r != expected)
            {
                return Fail($"Expected '{expected}' in ISO8601 datetime, but found '{Show(r)}' instead.");
            }
        }
        Emit(LexKind.Datetime);
        return Pop();
    }
}
