using System.Linq;
using TorchSharp;

namespace Mnist.Models.Tests;

/// <summary>
/// A tensor's shape and elements (as doubles: float32 and int64 both convert exactly), copied out of libtorch
/// so that results computed once outlive their tensors and every test can compare them.
/// </summary>
internal sealed record TensorValues(long[] Shape, double[] Values)
{
    public static TensorValues Of(torch.Tensor tensor)
    {
        using var detached = tensor.detach();
        using var doubles = detached.to_type(torch.float64);
        return new TensorValues(tensor.shape.ToArray(), doubles.data<double>().ToArray());
    }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>The multi-index of element <paramref name="flat"/> in row-major order, as "[i, j, ...]".</summary>
    public string IndexText(int flat)
    {
        var index = new long[Shape.Length];
        long rest = flat;
        for (var d = Shape.Length - 1; d >= 0; d--)
        {
            index[d] = rest % Shape[d];
            rest /= Shape[d];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}
