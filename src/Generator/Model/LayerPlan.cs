using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// One layer as every emitter sees it: what the layer algebra computed for it (input and output shapes, parameters,
/// receptive field, torchsummary's row name) and its names in the module (field, state-dict keys). What its kind
/// writes in each artefact is the layer's own description (its <see cref="Layer"/> record), which the emitters render.
/// </summary>
public sealed record LayerPlan(LayerReport Report, string? MemberName, EquatableArray<string> StateKeys)
{
    public Layer Layer => Report.Layer;

    public LayerKind Kind => Report.Layer.Kind;

    public int Index => Report.Index;

    /// <summary>A module field of the generated class (false: applied as a torch.nn.functional call).</summary>
    public bool IsModule => MemberName is not null;
}
