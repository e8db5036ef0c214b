using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Mnist.Dsl.Inference;

// The program of bench/inference-before-after.sh: DefaultNet's inference class as the generator wrote it at another
// revision (OldNet) and as it writes it now (NewNet), compiled into this one Release assembly, with the same random
// weights (a safetensors file made in memory from the tensors New.cs reads). Checks the outputs are equal, then
// alternates the two, in the calling thread's CPU time: PredictBatch over 2,000 random images, then 500 Classify calls.
var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "New.cs"));
var tensors = new List<(string Name, int[] Shape)>();
foreach (Match m in Regex.Matches(source, "ReadFloat32\\(Network, \"([^\"]+)\", ([0-9, ]+)\\)"))
    tensors.Add((m.Groups[1].Value, m.Groups[2].Value.Split(", ").Select(int.Parse).ToArray()));
foreach (Match m in Regex.Matches(source, "BatchNorm\\(weights, Network, \"([^\"]+)\", ([0-9]+)"))
    foreach (var p in new[] { "weight", "bias", "running_mean", "running_var" })
        tensors.Add((m.Groups[1].Value + "." + p, new[] { int.Parse(m.Groups[2].Value) }));
var random = new Random(3);
var header = new StringBuilder("{");
var data = new MemoryStream();
foreach (var (name, shape) in tensors)
{
    var count = shape.Aggregate(1, (a, b) => a * b);
    var start = data.Length;
    for (var i = 0; i < count; i++)
    {
        var v = name.EndsWith("running_var") ? 0.5f + (float)random.NextDouble() : (float)(random.NextDouble() - 0.5);
        data.Write(BitConverter.GetBytes(v));
    }
    if (header.Length > 1) header.Append(',');
    header.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{start},{data.Length}]}}");
}
header.Append('}');
var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
var file = new MemoryStream();
file.Write(BitConverter.GetBytes((long)headerBytes.Length));
file.Write(headerBytes);
data.Position = 0; data.CopyTo(file);
var bytes = file.ToArray();
var oldNet = Mnist.Models.OldNet.Load(new MemoryStream(bytes), "random");
var newNet = Mnist.Models.NewNet.Load(new MemoryStream(bytes), "random");

var n = 2000;
var images = new float[n * 784];
for (var i = 0; i < images.Length; i++) images[i] = (float)(random.NextDouble() * 3 - 0.5);
var a = new float[n * 10]; var b = new float[n * 10];
oldNet.PredictBatch(images, a); newNet.PredictBatch(images, b);
var same = a.Zip(b).Count(p => p.First == p.Second);
Console.WriteLine($"equal outputs: {same}/{a.Length}, max diff {a.Zip(b).Max(p => Math.Abs(p.First - p.Second))}");

var rounds = int.Parse(args.Length > 0 ? args[0] : "7");
if (args.Length > 1 && args[1] == "single")
{
    // One configuration per process (the script's WIDTHS): NewNet alone, a warm-up pass, then the rounds' medians.
    var rates = new List<double>(); var times = new List<double>();
    for (var r = 0; r < rounds + 1; r++)
    {
        var t = Cpu(); newNet.PredictBatch(images, b); var batch = Cpu() - t;
        t = Cpu(); for (var i = 0; i < 500; i++) newNet.Classify(images.AsSpan(i * 784, 784)); var one = Cpu() - t;
        if (r == 0) continue;
        rates.Add(n / (batch / 1e9)); times.Add(one / 1e3 / 500);
    }
    Console.WriteLine($"batch_images_per_s={Med(rates):F0}");
    Console.WriteLine($"batch1_us={Med(times):F2}");
    return;
}
var ob = new List<double>(); var nb = new List<double>(); var o1 = new List<double>(); var n1 = new List<double>();
for (var r = 0; r < rounds + 1; r++)
{
    var t = Cpu(); oldNet.PredictBatch(images, a); var old = Cpu() - t;
    t = Cpu(); newNet.PredictBatch(images, b); var neu = Cpu() - t;
    t = Cpu(); for (var i = 0; i < 500; i++) oldNet.Classify(images.AsSpan(i * 784, 784)); var old1 = Cpu() - t;
    t = Cpu(); for (var i = 0; i < 500; i++) newNet.Classify(images.AsSpan(i * 784, 784)); var new1 = Cpu() - t;
    if (r == 0) continue;
    ob.Add(n / (old / 1e9)); nb.Add(n / (neu / 1e9)); o1.Add(old1 / 1e3 / 500); n1.Add(new1 / 1e3 / 500);
    Console.WriteLine($"round {r}: batch {n}: old {ob[^1]:F0}/s new {nb[^1]:F0}/s; batch 1: old {o1[^1]:F1} µs new {n1[^1]:F1} µs");
}
double Med(List<double> l) { var s = l.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
Console.WriteLine($"median batch {n}: old {Med(ob):F0}/s new {Med(nb):F0}/s ratio new/old {Med(nb) / Med(ob):F3}; batch 1: old {Med(o1):F1} new {Med(n1):F1} µs, time ratio new/old {Med(n1) / Med(o1):F3}");

static long Cpu() { ClockGetTime(3, out var t); return t.Seconds * 1_000_000_000 + t.Nanoseconds; }
[DllImport("libc", EntryPoint = "clock_gettime")] static extern int ClockGetTime(int clock, out TimeSpec time);
[StructLayout(LayoutKind.Sequential)] struct TimeSpec { public long Seconds; public long Nanoseconds; }
