namespace Mnist.Dsl.Inference;

/// <summary>
/// What every generated inference class (&lt;Network&gt;Inference) does, so code in another assembly, a trainer or a
/// classifier that gets its networks from <see cref="Registry.NetworkRegistry"/>, can run any of them without
/// knowing its type. Instances come from a network's <see cref="Registry.RegisteredNetwork.LoadInference(string)"/>
/// or the class's own Load methods.
/// </summary>
public interface INetworkInference
{
    /// <summary>The network's name, as its state-dict keys and error messages name it.</summary>
    string Network { get; }

    /// <summary>Floats per image: channels × height × width, in PyTorch's [C, H, W] order.</summary>
    int InputLength { get; }

    /// <summary>Floats per result: one per class.</summary>
    int Classes { get; }

    /// <summary>The network's output (eval mode) for one normalised image: Classes floats into <paramref name="output"/>.</summary>
    void Predict(ReadOnlySpan<float> image, Span<float> output);

    /// <summary>The class with the highest output for one image (the first of equal ones, as torch.argmax).</summary>
    int Classify(ReadOnlySpan<float> image);

    /// <summary>The outputs of N images one after another (N × InputLength floats in, N × Classes out), on the calling thread.</summary>
    void PredictBatch(ReadOnlySpan<float> images, Span<float> outputs);

    /// <summary>As the other PredictBatch, split into <paramref name="threads"/> contiguous parts computed in parallel.</summary>
    void PredictBatch(ReadOnlyMemory<float> images, Memory<float> outputs, int threads);
}
