namespace Mnist.Dsl.Training.Evaluation;

/// <summary>
/// Weights that hold NaN or infinity (a run that diverged before the trainer checked, or a file from elsewhere)
/// evaluate to nonsense: eval refuses them in one line naming the first tensor at fault.
/// </summary>
internal static class FiniteWeights
{
    public static void Require(string path)
    {
        foreach (var (name, tensor) in SafeTensorsFile.Read(path, out _))
        {
            if (tensor.Dtype != "F32") continue;
            var values = tensor.AsFloat32();
            var bad = values.Count(v => !float.IsFinite(v));
            if (bad > 0)
                throw new InvalidDataException(string.Format(CultureInfo.InvariantCulture,
                    "{0} holds {1:N0} NaN or infinite values in {2} (of {3:N0}): these weights come from a run that diverged; " +
                        "evaluate another file, or train again with a lower --lr.",
                    path, bad, name, values.Length));
        }
    }
}
