namespace Mnist.Dsl.Engine.Optim;

/// <summary>
/// What a trainer needs from an optimizer: an update of a range of the flat parameter vector (threads take disjoint
/// ranges) with state buffers the trainer allocates, and the two numbers a schedule sets.
/// </summary>
public unsafe interface IOptimizer
{
    double LearningRate { get; set; }

    /// <summary>SGD's momentum, Adam's beta1: what OneCycleLR cycles.</summary>
    double Momentum { get; set; }

    /// <summary>State floats per parameter: SGD 1 (momentum buffer), Adam 2 (first and second moments).</summary>
    int StateBuffers { get; }

    /// <summary>The state buffers' names in PyTorch's optimizer state ("momentum_buffer"; "exp_avg", "exp_avg_sq"):
    /// what a checkpoint calls them.</summary>
    IReadOnlyList<string> StateNames { get; }

    /// <summary>
    /// Steps taken. SGD starts its momentum buffer at the first, Adam corrects its bias by it: a resumed run sets it
    /// with the trainer's own step count.
    /// </summary>
    long Steps { get; set; }

    /// <summary>Whether the state buffers hold anything yet (PyTorch's SGD has no momentum buffer before its first
    /// step, nor without momentum).</summary>
    bool HasState { get; }

    /// <summary>Whether PyTorch's state for a parameter also counts its steps ("step": Adam does, SGD does not).</summary>
    bool CountsStepsInState { get; }

    /// <summary>Updates parameters [from, to); <paramref name="state"/> holds <see cref="StateBuffers"/> vectors as long as the parameters.</summary>
    void Update(float* parameters, float* gradients, float** state, int from, int to);

    /// <summary>Call once per step after every range is updated.</summary>
    void EndStep();
}
