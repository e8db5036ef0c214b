using Mnist.Dsl.Layers;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Mnist.Dsl.Torch;

/// <summary>
/// A layer kind's TorchSharp description (<see cref="Layer.TorchModule"/>, <see cref="Layer.TorchFunctional"/>) made live:
/// <c>nn.X</c> is a factory of torch.nn, <c>nn.functional.x</c> a function of torch.nn.functional, a call on the input a
/// method of the tensor. The same descriptions the generator writes as code, so both build the same modules.
/// </summary>
public static class TorchCalls
{
    /// <summary>The module <paramref name="call"/> describes (<c>nn.Conv2d(1, 8, 3, 1, 0, bias: false)</c>).</summary>
    public static nn.Module<Tensor, Tensor> Module(LayerCall call) =>
        (nn.Module<Tensor, Tensor>)Bind(call).Invoke(null)!;

    /// <summary>The bound functional call of a functional layer.</summary>
    public static LayerCallBinder Functional(Layer layer) =>
        Bind(layer.TorchFunctional
            ?? throw new System.InvalidOperationException($"{layer.Kind} has state and is never applied as a functional call"));

    /// <summary>Applies a bound functional call to <paramref name="x"/>.</summary>
    public static Tensor Apply(LayerCallBinder call, Tensor x, bool training) => (Tensor)call.Invoke(x, x, training)!;

    private static LayerCallBinder Bind(LayerCall call) => call.OnInput
        ? LayerCallBinder.Bind(typeof(Tensor), instance: true, call, typeof(Tensor))
        : LayerCallBinder.Bind(call.Function.StartsWith("nn.functional.", System.StringComparison.Ordinal) ? typeof(nn.functional) : typeof(nn),
            instance: false, call, typeof(Tensor));
}
