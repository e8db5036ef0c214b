using System.Collections.Generic;
using System.Linq;

namespace Mnist.Dsl.Engine.Tests.Reference;

/// <summary>
/// Every case sent to PyTorch, with its inputs: the tests read the same inputs back from here, run the engine on
/// them and compare with <see cref="PyTorchReference.Answer"/>. Small shapes keep the suite fast; odd sizes make
/// vector tails and remainder channels run.
/// </summary>
internal static class ReferenceCases
{
    public record ConvCase(string Name, int N, int InChannels, int OutChannels, int Height, int Width, int Kernel, int Stride, int Padding, bool Bias, int Groups = 1)
    {
        public int WeightCount => OutChannels * (InChannels / Groups) * Kernel * Kernel;

        public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;

        public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;
    }

    public static readonly ConvCase[] Convolutions =
    [
        new("conv/3to5-k3-s1-p1-bias", 2, 3, 5, 9, 8, 3, 1, 1, true),
        new("conv/2to4-k3-s2", 2, 2, 4, 7, 7, 3, 2, 0, false),
        new("conv/4to6-k1", 2, 4, 6, 6, 6, 1, 1, 0, false),
        new("conv/1to8-k5-p2-bias", 2, 1, 8, 10, 10, 5, 1, 2, true),
        new("conv/3to4-k3-s2-p1-bias", 2, 3, 4, 9, 9, 3, 2, 1, true),
        new("conv/16to24-k3-default", 1, 16, 24, 26, 26, 3, 1, 0, false),
        // Grouped (the wide kernels once per group) and depthwise (groups = in = out: their own kernels), with and
        // without bias, stride and padding; the strided ones run the plain loops. Their data is drawn after every other case's.
        new("conv/grouped-4to6-g2-k3-p1-bias", 2, 4, 6, 8, 8, 3, 1, 1, true, 2),
        new("conv/grouped-4to4-g2-k3-s2", 2, 4, 4, 9, 9, 3, 2, 0, false, 2),
        new("conv/grouped-6to9-g3-k1", 2, 6, 9, 5, 7, 1, 1, 0, false, 3),
        new("conv/multiplier-3to6-g3-k3-bias", 2, 3, 6, 8, 8, 3, 1, 0, true, 3),
        new("conv/depthwise-6-k3-p1", 2, 6, 6, 10, 10, 3, 1, 1, false, 6),
        new("conv/depthwise-5-k3-bias", 3, 5, 5, 7, 9, 3, 1, 0, true, 5),
        new("conv/depthwise-4-k3-s2-p1-bias", 2, 4, 4, 9, 9, 3, 2, 1, true, 4),
        new("conv/depthwise-16-k5-p2", 1, 16, 16, 12, 12, 5, 1, 2, false, 16),
        new("conv/depthwise-8-k3-26", 1, 8, 8, 26, 26, 3, 1, 0, false, 8),
        // Strided grouped layers on the phase split (the stride-1 layer keeps the groups), each kind the benchmark set
        // draws: random4's 10->14 k4 s2 p2 g2, random7's k5 s3 (more taps than phases need), a strided depthwise k3 s3
        // (random1) and k1 s2 (one phase kept of four, random5), random9's depthwise k6 s2 on a map smaller than its
        // kernel, a strided channel multiplier, a k2 s3 layer (four phases kept of nine). Drawn last.
        new("conv/grouped-10to14-g2-k4-s2-p2", 2, 10, 14, 12, 11, 4, 2, 2, false, 2),
        new("conv/grouped-6to4-g2-k5-s3-p2-bias", 2, 6, 4, 13, 14, 5, 3, 2, true, 2),
        new("conv/depthwise-3-k3-s3-p2", 2, 3, 3, 11, 10, 3, 3, 2, false, 3),
        new("conv/depthwise-5-k1-s2-p1-bias", 2, 5, 5, 9, 8, 1, 2, 1, true, 5),
        new("conv/depthwise-4-k6-s2-p2", 2, 4, 4, 3, 3, 6, 2, 2, false, 4),
        new("conv/multiplier-3to6-g3-k3-s2", 2, 3, 6, 9, 9, 3, 2, 0, false, 3),
        new("conv/grouped-4to6-g2-k2-s3-p1-bias", 2, 4, 6, 10, 10, 2, 3, 1, true, 2),
    ];

    /// <summary>
    /// Strided ungrouped layers for the patch convolution (Composition.PatchConvolution): a random stack's 11->6 k7 s3 to
    /// 2x2, a kernel past the image's edge (tap columns that read only padding), and more images than a group holds.
    /// </summary>
    public static readonly ConvCase[] PatchConvolutions =
    [
        new("conv/patch-11to6-k7-s3-p1-bias", 3, 11, 6, 10, 10, 7, 3, 1, true),
        new("conv/patch-2to3-k8-s3-p2", 2, 2, 3, 4, 5, 8, 3, 2, false),
        new("conv/patch-1to5-k2-s3-p1-bias", 11, 1, 5, 8, 8, 2, 3, 1, true),
    ];

    /// <summary>
    /// Strided layers as the benchmark stacks draw them, for the image-lane patch convolution: random3's 16->10 k7 s2 p2
    /// on 11x11 with 9 images (a full group of 8 lanes and a short one), random7's grouped 16->6 k5 s3 p2 on 8x8.
    /// </summary>
    public static readonly ConvCase[] LaneConvolutions =
    [
        new("conv/lanes-16to10-k7-s2-p2-bias", 9, 16, 10, 11, 11, 7, 2, 2, true),
        new("conv/lanes-grouped-16to6-g2-k5-s3-p2", 3, 16, 6, 8, 8, 5, 3, 2, false, 2),
    ];

    // Before All: static fields initialise in textual order, and Build reads this one.
    /// <summary>Improves, stalls (within and beyond the 1e-4 relative threshold), improves, stalls again.</summary>
    public static readonly double[] Plateau =
        [1.0, 0.9, 0.8, 0.8, 0.79995, 0.8, 0.81, 0.7, 0.69999, 0.7, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6];

    public static readonly Dictionary<string, Dictionary<string, object>> All = Build();

    public static Dictionary<string, object> Case(string name) => All[name];

    public static float[] Floats(string name, string key) => (float[])All[name][key];

    private static Dictionary<string, Dictionary<string, object>> Build()
    {
        var all = new Dictionary<string, Dictionary<string, object>>();
        int seed = 1;
        foreach (var c in Convolutions.Where(c => c.Groups == 1)) all[c.Name] = Convolution(c, ref seed);

        all["bn/2d"] = BatchNorm(new[] { 4, 3, 5, 5 }, 0.1, ref seed);
        all["bn/1d"] = BatchNorm(new[] { 6, 7 }, 0.2, ref seed);

        all["pool/max-k2-ties"] = Pool("max", new[] { 2, 3, 8, 8 }, 2, 2, TestData.WithTies(seed++, 2 * 3 * 64), ref seed);
        all["pool/max-k3-s2"] = Pool("max", new[] { 2, 2, 9, 9 }, 3, 2, TestData.Normal(seed++, 2 * 2 * 81), ref seed);
        all["pool/avg-k2"] = Pool("avg", new[] { 2, 3, 6, 6 }, 2, 2, TestData.Normal(seed++, 2 * 3 * 36), ref seed);
        all["pool/gap"] = Pool("gap", new[] { 2, 4, 5, 5 }, 5, 5, TestData.Normal(seed++, 2 * 4 * 25), ref seed);

        all["linear/bias"] = Linear(true, ref seed);
        all["linear/no-bias"] = Linear(false, ref seed);
        all["relu"] = new() { ["kind"] = "relu", ["x"] = TestData.WithTies(seed++, 50), ["x_shape"] = new[] { 50 }, ["dy"] = TestData.Normal(seed++, 50) };
        all["loss/log-softmax-nll"] = Loss("nll", ref seed);
        all["loss/cross-entropy"] = Loss("cross_entropy", ref seed);

        all["optim/sgd-momentum"] = Optimizer("sgd", 0.1, momentum: 0.9, nesterov: false, wd: 0, ref seed);
        all["optim/sgd-nesterov-wd"] = Optimizer("sgd", 0.05, momentum: 0.8, nesterov: true, wd: 0.01, ref seed);
        all["optim/sgd-plain"] = Optimizer("sgd", 0.1, momentum: 0, nesterov: false, wd: 0, ref seed);
        all["optim/adam"] = Optimizer("adam", 0.05, momentum: 0, nesterov: false, wd: 0, ref seed);
        all["optim/adam-wd"] = Optimizer("adam", 0.01, momentum: 0, nesterov: false, wd: 0.1, ref seed);

        all["schedule/step"] = new() { ["kind"] = "schedule", ["op"] = "step", ["lr"] = 0.1, ["step_size"] = 3, ["gamma"] = 0.5, ["steps"] = 20 };
        all["schedule/onecycle"] = new() { ["kind"] = "schedule", ["op"] = "onecycle", ["lr"] = 0.05, ["total"] = 20, ["steps"] = 20 };
        all["schedule/onecycle-warmup-0.15"] = new() { ["kind"] = "schedule", ["op"] = "onecycle", ["lr"] = 0.05, ["total"] = 20, ["steps"] = 20, ["pct_start"] = 0.15 };
        all["schedule/plateau"] = new()
        {
            ["kind"] = "schedule", ["op"] = "plateau", ["lr"] = 0.1, ["factor"] = 0.5, ["patience"] = 2, ["steps"] = 20,
            ["metrics"] = Plateau,
        };
        // Last, so the seeds of the cases above stay what they were. Ties give exact zeros: PyTorch's gradient there is the slope's.
        foreach (var slope in LeakyReluSlopes)
            all[LeakyReluCase(slope)] = new()
            {
                ["kind"] = "leaky_relu", ["slope"] = slope, ["x"] = TestData.WithTies(seed++, 67), ["x_shape"] = new[] { 67 }, ["dy"] = TestData.Normal(seed++, 67),
            };
        foreach (var network in SampleNetworkCase.Networks)
            foreach (var optimizer in SampleNetworkCase.Optimizers)
                all[SampleNetworkCase.CaseName(network, optimizer)] = SampleNetworkCase.Request(network, optimizer);
        // Last, so that the cases before them keep the data they always had.
        foreach (var c in Convolutions.Where(c => c.Groups != 1)) all[c.Name] = Convolution(c, ref seed);
        // Values out to about ±12 (scale 4): tanh's clamp at ±9 and its saturated gradient are exercised,
        // and 203 values leave a tail after whole vectors at every width.
        all["tanh"] = new() { ["kind"] = "tanh", ["x"] = TestData.Normal(seed++, 203, 4), ["x_shape"] = new[] { 203 }, ["dy"] = TestData.Normal(seed++, 203) };
        foreach (var c in PatchConvolutions) all[c.Name] = Convolution(c, ref seed);
        // PoolWindows' forms (Composition): stride 1 and stride = kernel with rows past a vector and columns and rows left
        // over, and a branch-free max scan over ties.
        all["pool/avg-k3-s1"] = Pool("avg", new[] { 2, 3, 11, 21 }, 3, 1, TestData.Normal(seed++, 2 * 3 * 11 * 21), ref seed);
        all["pool/avg-k3-s3"] = Pool("avg", new[] { 2, 2, 10, 40 }, 3, 3, TestData.Normal(seed++, 2 * 2 * 10 * 40), ref seed);
        all["pool/max-k4-s1-ties"] = Pool("max", new[] { 2, 3, 7, 20 }, 4, 1, TestData.WithTies(seed++, 2 * 3 * 7 * 20), ref seed);
        // The benchmark stacks' small forms, drawn last: random9's MaxPool2d(4, Stride = 1) on 5x5 (7 windows: a
        // 4-lane vector and an overlapping one), random3's AvgPool2d(2, Stride = 1) on 12x12 (rows of 11), a Linear
        // whose features fill vectors at every width (random6's is 2,197 wide), and the image-lane convolutions.
        all["pool/max-k4-s1-5x5-ties"] = Pool("max", new[] { 2, 3, 5, 5 }, 4, 1, TestData.WithTies(seed++, 2 * 3 * 5 * 5), ref seed);
        all["pool/avg-k2-s1-12x12"] = Pool("avg", new[] { 2, 3, 12, 12 }, 2, 1, TestData.Normal(seed++, 2 * 3 * 12 * 12), ref seed);
        all["linear/wide"] = Linear(true, ref seed, samples: 11, inFeatures: 75, outFeatures: 7);
        foreach (var c in LaneConvolutions) all[c.Name] = Convolution(c, ref seed);
        return all;
    }

    private static Dictionary<string, object> Convolution(ConvCase c, ref int seed) => new()
    {
        ["kind"] = "conv", ["stride"] = c.Stride, ["padding"] = c.Padding, ["bias"] = c.Bias, ["groups"] = c.Groups,
        ["x"] = TestData.Normal(seed++, c.N * c.InChannels * c.Height * c.Width), ["x_shape"] = new[] { c.N, c.InChannels, c.Height, c.Width },
        ["w"] = TestData.Normal(seed++, c.WeightCount, 0.3), ["w_shape"] = new[] { c.OutChannels, c.InChannels / c.Groups, c.Kernel, c.Kernel },
        ["b"] = TestData.Normal(seed++, c.OutChannels), ["b_shape"] = new[] { c.OutChannels },
        ["dy"] = TestData.Normal(seed++, c.N * c.OutChannels * c.OutHeight * c.OutWidth), ["y_shape"] = new[] { c.N, c.OutChannels, c.OutHeight, c.OutWidth },
    };

    /// <summary>PyTorch's default slope, a larger one, 0 (ReLU), a negative one and one past 1.</summary>
    public static double[] LeakyReluSlopes => new[] { 0.01, 0.2, 0, -0.5, 1.5 };

    public static string LeakyReluCase(double slope) => "leaky_relu/" + slope.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, object> BatchNorm(int[] shape, double momentum, ref int seed)
    {
        int n = 1;
        foreach (var s in shape) n *= s;
        int c = shape[1];
        return new()
        {
            ["kind"] = "batchnorm", ["momentum"] = momentum, ["tracked"] = 3,
            ["x"] = TestData.Normal(seed++, n, 2), ["x_shape"] = shape, ["dy"] = TestData.Normal(seed++, n),
            ["gamma"] = TestData.Uniform(seed++, c, 0.5, 1.5), ["beta"] = TestData.Uniform(seed++, c, -0.5, 0.5),
            ["running_mean"] = TestData.Uniform(seed++, c, -0.5, 0.5), ["running_var"] = TestData.Uniform(seed++, c, 0.5, 2),
        };
    }

    private static Dictionary<string, object> Pool(string op, int[] shape, int kernel, int stride, float[] x, ref int seed)
    {
        int ho = (shape[2] - kernel) / stride + 1, wo = (shape[3] - kernel) / stride + 1;
        return new()
        {
            ["kind"] = "pool", ["op"] = op, ["kernel"] = kernel, ["stride"] = stride, ["x"] = x, ["x_shape"] = shape,
            ["dy"] = TestData.Normal(seed++, shape[0] * shape[1] * ho * wo), ["y_shape"] = new[] { shape[0], shape[1], ho, wo },
        };
    }

    private static Dictionary<string, object> Linear(bool bias, ref int seed, int samples = 3, int inFeatures = 6, int outFeatures = 4) => new()
    {
        ["kind"] = "linear", ["bias"] = bias,
        ["x"] = TestData.Normal(seed++, samples * inFeatures), ["x_shape"] = new[] { samples, inFeatures },
        ["w"] = TestData.Normal(seed++, outFeatures * inFeatures), ["w_shape"] = new[] { outFeatures, inFeatures },
        ["b"] = TestData.Normal(seed++, outFeatures), ["b_shape"] = new[] { outFeatures },
        ["dy"] = TestData.Normal(seed++, samples * outFeatures), ["y_shape"] = new[] { samples, outFeatures },
    };

    private static Dictionary<string, object> Loss(string op, ref int seed) => new()
    {
        ["kind"] = "loss", ["op"] = op, ["x"] = TestData.Normal(seed++, 5 * 10, 3), ["x_shape"] = new[] { 5, 10 },
        ["labels"] = TestData.Labels(seed++, 5, 10),
    };

    private static Dictionary<string, object> Optimizer(string op, double lr, double momentum, bool nesterov, double wd, ref int seed) => new()
    {
        ["kind"] = "optimizer", ["op"] = op, ["lr"] = lr, ["momentum"] = momentum, ["nesterov"] = nesterov, ["wd"] = wd,
        ["beta1"] = 0.9, ["beta2"] = 0.999, ["eps"] = 1e-8, ["steps"] = 20,
        ["p"] = TestData.Normal(seed++, 7), ["target"] = TestData.Normal(seed++, 7), ["scale"] = TestData.Uniform(seed++, 7, 0.1, 2),
    };
}
