using BenchmarkDotNet.Running;

// In process (no separate build of generated code); pass BenchmarkDotNet arguments to narrow it (e.g. --filter *Parse*).
BenchmarkSwitcher.FromAssembly(typeof(Nats.OrleansRoutes.Bench.Codec.CodecBenchmarks).Assembly)
    .Run(args.Length == 0 ? ["--filter", "*", "--inProcess", "--memory"] : args);
