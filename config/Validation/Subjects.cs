namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>NATS subject rules as nats-server checks them in permissions.</summary>
internal static class Subjects
{
    /// <summary>Non-empty dot-separated tokens, no whitespace, and nothing after a '>' token.</summary>
    public static bool IsValid(string subject)
    {
        if (subject.Length == 0)
            return false;
        var tokens = subject.Split('.');
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token.Length == 0 || token.Any(c => c is ' ' or '\t' or '\n' or '\f' or '\r'))
                return false;
            if (token == ">" && i != tokens.Length - 1)
                return false;
        }
        return true;
    }

    /// <summary>The message nats-server gives for a bad permission subject, or null. Export allows "subject queue".</summary>
    public static string? CheckPermission(string subject, bool allowQueues)
    {
        if (allowQueues)
        {
            var fields = subject.Split([' ', '\t', '\n', '\f', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2)
            {
                if (!IsValid(fields[0]))
                    return $"subject {Go.GoQuote.Quote(fields[0])} is not a valid subject";
                if (!IsValid(fields[1]))
                    return $"queue {Go.GoQuote.Quote(fields[1])} is not a valid queue";
                return null;
            }
        }
        return IsValid(subject) ? null : $"subject {Go.GoQuote.Quote(subject)} is not a valid subject";
    }
}
