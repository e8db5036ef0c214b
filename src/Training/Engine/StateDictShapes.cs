using System.Collections.Generic;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Training.Engine;

/// <summary>What a state-dict entry holds: a parameter, a float buffer (running statistics) or BatchNorm's int64 batch counter.</summary>
public enum StateKind { Parameter, Buffer, BatchCounter }

/// <summary>One state-dict entry of a network's module: its key, shape and kind.</summary>
public sealed record StateEntry(string Key, long[] Shape, StateKind Kind);

/// <summary>
/// A network's state dict as its generated module has it (keys, shapes, order), from its compile-time summary: a
/// trainer's flat parameter layout knows names and lengths only, and a weights file must have the module's shapes.
/// The keys follow the generator's names (conv1, bn1, fc1: a counter per kind of module with state, in declaration
/// order); a test compares them with the TorchSharp module's state_dict for every sample network.
/// </summary>
public static class StateDictShapes
{
    public static List<StateEntry> Of(NetworkSummary summary)
    {
        var entries = new List<StateEntry>();
        var counts = new Dictionary<string, int>();
        string Module(string prefix) => prefix + (counts[prefix] = counts.GetValueOrDefault(prefix) + 1);
        foreach (var report in summary.Layers)
        {
            switch (report.Layer)
            {
                case Conv2d conv:
                {
                    var module = Module("conv");
                    entries.Add(new(module + ".weight", new long[] { conv.OutChannels, report.Input.Channels, conv.KernelSize, conv.KernelSize }, StateKind.Parameter));
                    if (conv.Bias) entries.Add(new(module + ".bias", new long[] { conv.OutChannels }, StateKind.Parameter));
                    break;
                }
                case BatchNorm2d or BatchNorm1d:
                {
                    var module = Module("bn");
                    var channels = new long[] { report.Input.Channels };
                    entries.Add(new(module + ".weight", channels, StateKind.Parameter));
                    entries.Add(new(module + ".bias", channels, StateKind.Parameter));
                    entries.Add(new(module + ".running_mean", channels, StateKind.Buffer));
                    entries.Add(new(module + ".running_var", channels, StateKind.Buffer));
                    entries.Add(new(module + ".num_batches_tracked", System.Array.Empty<long>(), StateKind.BatchCounter));
                    break;
                }
                case Linear linear:
                {
                    var module = Module("fc");
                    entries.Add(new(module + ".weight", new long[] { linear.OutFeatures, (long)report.Input.Channels * report.Input.Height * report.Input.Width }, StateKind.Parameter));
                    if (linear.Bias) entries.Add(new(module + ".bias", new long[] { linear.OutFeatures }, StateKind.Parameter));
                    break;
                }
            }
        }
        return entries;
    }
}
