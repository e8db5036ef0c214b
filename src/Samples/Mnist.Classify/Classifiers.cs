using System;
using System.Collections.Generic;
using Mnist.Models;

namespace Mnist.Classify;

/// <summary>One generated inference class behind a common shape (the generated classes share their API, not an interface).</summary>
internal sealed record Classifier(string Name, int InputLength, int Classes, Action<float[], float[], int> PredictBatch);

internal static class Classifiers
{
    /// <summary>The sample networks by the trainer's names for them, each loading its weights from a safetensors file.</summary>
    public static readonly IReadOnlyDictionary<string, Func<string, Classifier>> ByName = new Dictionary<string, Func<string, Classifier>>(StringComparer.OrdinalIgnoreCase)
    {
        ["default"] = path => From(DefaultNetInference.Network, DefaultNetInference.InputLength, DefaultNetInference.Classes, DefaultNetInference.Load(path).PredictBatch),
        ["small"] = path => From(SmallNetInference.Network, SmallNetInference.InputLength, SmallNetInference.Classes, SmallNetInference.Load(path).PredictBatch),
        ["seed001-1"] = path => From(Seed001Model1Inference.Network, Seed001Model1Inference.InputLength, Seed001Model1Inference.Classes, Seed001Model1Inference.Load(path).PredictBatch),
        ["seed001-2"] = path => From(Seed001Model2Inference.Network, Seed001Model2Inference.InputLength, Seed001Model2Inference.Classes, Seed001Model2Inference.Load(path).PredictBatch),
        ["seed002"] = path => From(Seed002NetInference.Network, Seed002NetInference.InputLength, Seed002NetInference.Classes, Seed002NetInference.Load(path).PredictBatch),
        ["seed004"] = path => From(Seed004NetInference.Network, Seed004NetInference.InputLength, Seed004NetInference.Classes, Seed004NetInference.Load(path).PredictBatch),
    };

    private static Classifier From(string name, int inputLength, int classes, Action<ReadOnlyMemory<float>, Memory<float>, int> predict) =>
        new(name, inputLength, classes, (images, outputs, threads) => predict(images, outputs, threads));
}
