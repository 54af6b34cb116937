namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>The deployment's secrets key: from --secrets-key-file, else $NATSROUTES_SECRETS_KEY.</summary>
internal static class SecretsKey
{
    public const string Variable = "NATSROUTES_SECRETS_KEY";

    public static string Resolve(string? file, bool required)
    {
        string? key = null;
        if (file is not null)
        {
            try
            {
                key = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the secrets key file {file}: {e.Message}");
            }
        }
        key ??= Environment.GetEnvironmentVariable(Variable)?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            if (required)
            {
                throw new UsageException($"no secrets key: with Redis, every silo and gateway needs the same key to seal route credentials at rest; "
                    + $"set {Variable} (e.g. $(head -c 32 /dev/urandom | base64)) or pass --secrets-key-file FILE");
            }
            return "";
        }
        if (!Grains.Security.SecretBox.IsValidKey(key))
            throw new UsageException($"the secrets key ({(file ?? Variable)}) is not 32 bytes of base64");
        return key;
    }
}
