namespace Mnist.Dsl.Training.Evaluation;

/// <summary>
/// Average NLL loss and correct count over a set, a batch at a time, whichever forward computes the outputs: the networks
/// end in LogSoftmax, so the loss is minus the label's output, as nll_loss takes it, and an image is correct when its
/// label's output is the largest (the first largest, as argmax).
/// </summary>
internal static class TestPass
{
    /// <summary>Writes the outputs of the images [start, start + count) of the set to the first count × classes floats of outputs.</summary>
    public delegate void Forward(int start, int count, float[] outputs);

    public static (double Loss, long Correct) Run(MnistImages set, int batch, int classes, Forward forward)
    {
        var outputs = new float[batch * classes];
        var labels = new int[batch];
        double lossSum = 0;
        long correct = 0;
        for (var start = 0; start < set.Count; start += batch)
        {
            var count = Math.Min(batch, set.Count - start);
            forward(start, count, outputs);
            for (var i = 0; i < count; i++)
            {
                labels[i] = set.Labels[start + i];
                lossSum -= outputs[i * classes + labels[i]];
            }
            correct += Backends.EngineRun.Correct(outputs.AsSpan(0, count * classes), labels.AsSpan(0, count), count);
        }
        return (lossSum / set.Count, correct);
    }
}
