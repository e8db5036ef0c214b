#if NET8_0_OR_GREATER
using Mnist.Dsl.Simd;

namespace Mnist.Dsl.Inference;

/// <summary>A function of one value computed on every lane of a vector at any width: an elementwise activation, which
/// <see cref="InferenceKernels.MapInPlace{TFunction}"/> runs over an activation (a struct, so each is compiled inline).</summary>
internal interface ILaneFunction
{
    TV Of<TV, TOps>(TV x) where TV : struct where TOps : struct, IVectorOps<TV>;
}
#endif
