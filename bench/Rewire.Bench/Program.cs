using BenchmarkDotNet.Running;

// Rewire's benchmarks. Run: dotnet run -c Release --project bench/Rewire.Bench -- --filter '*'
// Figures, with the command and the machine, go to docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

public partial class Program;
