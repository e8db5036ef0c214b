using static Mnist.Torch.torch;

namespace Mnist.Torch.Modules;

/// <summary>
/// Batch normalisation as PyTorch's _BatchNorm: affine weight/bias, running_mean/var buffers updated in
/// training with <c>momentum</c>, and num_batches_tracked (a persistent int64 buffer, so state dicts match).
/// </summary>
public abstract class BatchNorm : nn.Module<Tensor, Tensor>
{
    private readonly long[] expectedDims;

    private protected BatchNorm(string name, long num_features, double eps, double momentum, bool affine, bool track_running_stats, params long[] expectedDims)
        : base(name)
    {
        if (num_features <= 0) throw new System.ArgumentException($"{name}({num_features}): num_features must be positive.");
        this.expectedDims = expectedDims;
        this.num_features = num_features;
        this.eps = eps;
        this.momentum = momentum;
        if (affine)
        {
            weight = Parameter.Take(ones(new[] { num_features }));
            bias = Parameter.Take(zeros(new[] { num_features }));
            register_parameter(nameof(weight), weight);
            register_parameter(nameof(bias), bias);
        }
        if (track_running_stats)
        {
            running_mean = zeros(new[] { num_features });
            running_var = ones(new[] { num_features });
            num_batches_tracked = zeros(System.Array.Empty<long>(), ScalarType.Int64);
            register_buffer(nameof(running_mean), running_mean);
            register_buffer(nameof(running_var), running_var);
            register_buffer(nameof(num_batches_tracked), num_batches_tracked);
        }
    }

    public long num_features { get; }
    public double eps { get; }
    public double momentum { get; }
    public Parameter? weight { get; }
    public Parameter? bias { get; }
    public Tensor? running_mean { get; }
    public Tensor? running_var { get; }
    public Tensor? num_batches_tracked { get; }

    public override Tensor forward(Tensor input)
    {
        var dims = input.Dimensions;
        if (System.Array.IndexOf(expectedDims, dims) < 0)
            throw new System.ArgumentException($"{GetName()}: expected {string.Join(" or ", expectedDims)}D input (got {dims}D input)");
        if (training && num_batches_tracked is not null) num_batches_tracked.add_(1);
        var useBatchStats = training || running_mean is null;
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, useBatchStats, momentum, eps);
    }
}

/// <summary>Batch normalisation over [N, C] or [N, C, L] input.</summary>
public sealed class BatchNorm1d : BatchNorm
{
    internal BatchNorm1d(long num_features, double eps, double momentum, bool affine, bool track_running_stats)
        : base(nameof(BatchNorm1d), num_features, eps, momentum, affine, track_running_stats, 2, 3) { }
}

/// <summary>Batch normalisation over [N, C, H, W] input, per channel.</summary>
public sealed class BatchNorm2d : BatchNorm
{
    internal BatchNorm2d(long num_features, double eps, double momentum, bool affine, bool track_running_stats)
        : base(nameof(BatchNorm2d), num_features, eps, momentum, affine, track_running_stats, 4) { }
}
