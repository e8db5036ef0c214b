namespace Mnist.Dsl.Analysis;

/// <summary>A network as data: its input, classes, budget, required layers and layers in order.</summary>
public sealed record NetworkDefinition
{
    /// <summary>The assignment's bound: fewer than 20,000 parameters (the budget is exclusive).</summary>
    public const int DefaultParameterBudget = 20_000;

    /// <summary>MNIST's ten digits.</summary>
    public const int DefaultClasses = 10;

    public NetworkDefinition(string name, int channels, int height, int width, IEnumerable<Layer> layers,
        int classes = DefaultClasses, int parameterBudget = DefaultParameterBudget, RequiredLayers requires = RequiredLayers.All)
    {
        Name = name;
        Input = Shape.Map(channels, height, width);
        Layers = layers.ToArray();
        Classes = classes;
        ParameterBudget = parameterBudget;
        Requires = requires;
    }

    public string Name { get; }
    public Shape Input { get; }
    public IReadOnlyList<Layer> Layers { get; }
    public int Classes { get; }
    public int ParameterBudget { get; }
    public RequiredLayers Requires { get; }
}
