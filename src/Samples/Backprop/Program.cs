using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Backprop;

// Seed 001, part 1: the 2-2-2 network trained by the hand-derived gradients at several learning rates,
// every step replayed by libtorch autograd, the runs written as CSV, SVG and a live-formula workbook.
var example = Example.Default;
var weights = Weights.Default;
Option<double> Number(string name, string description, double value) => new(name) { Description = description, DefaultValueFactory = _ => value };

var i1 = Number("--i1", "input i1", example.I1);
var i2 = Number("--i2", "input i2", example.I2);
var t1 = Number("--t1", "target t1", example.T1);
var t2 = Number("--t2", "target t2", example.T2);
var w = weights.ToArray().Select((v, k) => Number($"--w{k + 1}", $"starting weight w{k + 1}", v)).ToArray();
var learningRates = new Option<double[]>("--learning-rates", "--lr")
{
    Description = "learning rates to sweep (space-separated)",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => SweepSettings.SeedLearningRates.ToArray(),
};
var iterations = new Option<int>("--iterations", "-n") { Description = "iterations (sheet rows) per learning rate",
    DefaultValueFactory = _ => SweepSettings.DefaultIterations };
var output = new Option<string>("--output", "-o") { Description = "folder for backprop.csv, backprop.svg and backprop.xlsx",
    DefaultValueFactory = _ => Path.Combine("runs", "backprop") };
var skipAutograd = new Option<bool>("--skip-autograd")
{
    Description = "do not replay the runs with libtorch autograd (for machines without libtorch)",
};

var root = new RootCommand(
    "Backprop: the seed's 2-2-2 network, hand-derived backpropagation checked against libtorch autograd, and the learning-rate sweep")
{
    i1, i2, t1, t2,
};
foreach (var option in w) root.Add(option);
foreach (var option in new Option[] { learningRates, iterations, output, skipAutograd }) root.Add(option);

root.SetAction(parse =>
{
    try
    {
        var settings = new SweepSettings(
            new Example(parse.GetValue(i1), parse.GetValue(i2), parse.GetValue(t1), parse.GetValue(t2)),
            Weights.FromArray(w.Select(o => parse.GetValue(o)).ToArray()),
            parse.GetValue(learningRates) ?? SweepSettings.SeedLearningRates.ToArray(),
            parse.GetValue(iterations)).Validated();
        return Run(settings, parse.GetValue(output)!, !parse.GetValue(skipAutograd));
    }
    catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or Mnist.Dsl.Torch.NativeRuntimeException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
});
return root.Parse(args).Invoke();

static int Run(SweepSettings settings, string folder, bool checkAutograd)
{
    // Hand derivation and autograd must agree to rounding; float64 gives ~1e-17 here, 1e-9 leaves room.
    const double Tolerance = 1e-9;
    var first = LearningRateSweep.Train(settings.Example, settings.Initial, settings.LearningRates[0], 1)[0];
    PrintFirstRow(first);

    if (checkAutograd) Mnist.Dsl.Torch.NativeRuntime.EnsureLoaded(); // one line, not a load trace, without libtorch
    var trajectories = LearningRateSweep.Run(settings, checkAutograd);
    Console.WriteLine();
    Console.WriteLine($"{"η",6}  {"E_total(1)",12}  {$"E_total({settings.Iterations})",14}  {"max |hand − autograd|",22}");
    foreach (var t in trajectories)
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,6:G}  {1,12:G9}  {2,14:G9}  {3,22}",
            t.LearningRate, t.FirstError, t.LastError,
                t.MaxAutogradDeviation is { } d ? d.ToString("E2", CultureInfo.InvariantCulture) : "not checked"));

    var csv = Path.Combine(folder, "backprop.csv");
    var svg = Path.Combine(folder, "backprop.svg");
    var xlsx = Path.Combine(folder, "backprop.xlsx");
    CsvReport.Write(csv, trajectories);
    SvgPlot.Write(svg, trajectories);
    Workbook.Write(xlsx, trajectories);
    Console.WriteLine();
    Console.WriteLine($"wrote {csv}, {svg}, {xlsx}");

    if (!checkAutograd) return 0;
    var worst = trajectories.Max(t => t.MaxAutogradDeviation!.Value);
    var agree = worst <= Tolerance; // false for NaN too
    Console.WriteLine(agree
        ? $"hand-derived gradients agree with libtorch autograd: max deviation {worst.ToString("E2", CultureInfo.InvariantCulture)} over " +
            $"{trajectories.Count} × {settings.Iterations} steps"
        : $"hand-derived gradients DISAGREE with libtorch autograd: max deviation {worst.ToString("E2", CultureInfo.InvariantCulture)} > " +
            $"{Tolerance:E0}");
    return agree ? 0 : 1;
}

static void PrintFirstRow(Iteration row)
{
    var f = row.Forward;
    var g = row.Gradients;
    string V(double v) => v.ToString("F9", CultureInfo.InvariantCulture);
    Console.WriteLine("Forward pass at the starting weights:");
    Console.WriteLine($"  h1 = {V(f.H1)}  a_h1 = {V(f.AH1)}  h2 = {V(f.H2)}  a_h2 = {V(f.AH2)}");
    Console.WriteLine($"  o1 = {V(f.O1)}  a_o1 = {V(f.AO1)}  o2 = {V(f.O2)}  a_o2 = {V(f.AO2)}");
    Console.WriteLine($"  E1 = {V(f.E1)}  E2 = {V(f.E2)}  E_total = {V(f.ETotal)}");
    Console.WriteLine("Hand-derived gradients:");
    Console.WriteLine($"  ∂E/∂w1 = {V(g.DW1)}  ∂E/∂w2 = {V(g.DW2)}  ∂E/∂w3 = {V(g.DW3)}  ∂E/∂w4 = {V(g.DW4)}");
    Console.WriteLine($"  ∂E/∂w5 = {V(g.DW5)}  ∂E/∂w6 = {V(g.DW6)}  ∂E/∂w7 = {V(g.DW7)}  ∂E/∂w8 = {V(g.DW8)}");
}
