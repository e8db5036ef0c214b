using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// 20 steps of SGD (plain, momentum, nesterov with weight decay) and Adam (with and without L2 weight decay) on
/// loss = sum scale (p - target)^2, whose gradient 2 scale (p - target) both sides compute; trajectories to 1e-5.
/// </summary>
public sealed unsafe class OptimizerTests
{
    [Theory]
    [InlineData("optim/sgd-plain")]
    [InlineData("optim/sgd-momentum")]
    [InlineData("optim/sgd-nesterov-wd")]
    [InlineData("optim/adam")]
    [InlineData("optim/adam-wd")]
    public void Trajectory_matches_pytorch(string name)
    {
        var c = ReferenceCases.Case(name);
        float[] p = (float[])ReferenceCases.Floats(name, "p").Clone(), target = ReferenceCases.Floats(name, "target"), scale = ReferenceCases.Floats(name, "scale");
        int n = p.Length, steps = (int)c["steps"];
        var gradient = new float[n];
        var state1 = new float[n];
        var state2 = new float[n];
        var trajectory = new float[steps * n];
        bool sgd = (string)c["op"] == "sgd";
        var sgdOptimizer = new Sgd((double)c["lr"], (double)c["momentum"]) { Nesterov = (bool)c["nesterov"], WeightDecay = (double)c["wd"] };
        var adam = new Adam((double)c["lr"]) { WeightDecay = (double)c["wd"] };
        fixed (float* pp = p, pg = gradient, s1 = state1, s2 = state2)
            for (int step = 0; step < steps; step++)
            {
                for (int i = 0; i < n; i++) gradient[i] = 2 * scale[i] * (p[i] - target[i]);
                if (sgd)
                {
                    sgdOptimizer.Update(pp, pg, s1, 0, n);
                    sgdOptimizer.EndStep();
                }
                else
                {
                    adam.Update(pp, pg, s1, s2, 0, n);
                    adam.EndStep();
                }
                p.CopyTo(trajectory, step * n);
            }
        Tolerance.AssertClose(PyTorchReference.Answer(name)["trajectory"], trajectory, 1e-5, name);
    }
}
