using Nats.OrleansRoutes.Bench.GrainCalls;

return args.FirstOrDefault() switch
{
    "silo" => await BenchSilo.RunAsync(args),
    "run" or null => await BenchRun.RunAsync(args),
    var other => Usage(other),
};

static int Usage(string what)
{
    Console.Error.WriteLine($"unknown mode {what}; use: run [--seconds N] [--out FILE] | silo --redis EP --prefix P");
    return 2;
}
