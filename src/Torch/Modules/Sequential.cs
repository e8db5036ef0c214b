using System.Collections.Generic;
using System.Linq;
using static Mnist.Torch.torch;

namespace Mnist.Torch.Modules;

/// <summary>Runs its layers in order. Unnamed layers are registered as "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : nn.Module<Tensor, Tensor>
{
    private readonly List<nn.Module<Tensor, Tensor>> layers = new();

    internal Sequential(IEnumerable<(string name, nn.Module<Tensor, Tensor> module)> modules) : base(nameof(Sequential))
    {
        foreach (var (name, module) in modules)
        {
            register_module(name, module);
            layers.Add(module);
        }
    }

    public int Count => layers.Count;

    public nn.Module<Tensor, Tensor> this[int index] => layers[index];

    public override Tensor forward(Tensor input)
    {
        // Intermediate results stay in the caller's dispose scope; only the input is never disposed here.
        var x = input;
        foreach (var layer in layers) x = layer.forward(x);
        return x;
    }

    internal static IEnumerable<(string, nn.Module<Tensor, Tensor>)> Numbered(IEnumerable<nn.Module<Tensor, Tensor>> modules) =>
        modules.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m));
}
