using System;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

// One attribute per layer kind, in its kind's folder next to its record (Layers/Kinds/<Kind>Attribute.cs). They go on
// the network's partial class, in the order the layers run; several may share one attribute list so that a block reads
// as one line: [Conv2d(12, 3), ReLU, BatchNorm2d, Dropout(0.1)].

/// <summary>Base of the layer attributes.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute() { }
}

/// <summary>
/// Base of the layers without parameters. <see cref="Functional"/> applies the layer as a
/// torch.nn.functional call in forward instead of a module: no state-dict entry and no summary row, as in
/// notebooks that call F.relu or x.view (and whose torchsummary tables therefore have no such rows).
/// </summary>
public abstract class StatelessLayerAttribute : LayerAttribute
{
    private protected StatelessLayerAttribute() { }

    public bool Functional { get; set; } = LayerDefaults.Functional;
}
