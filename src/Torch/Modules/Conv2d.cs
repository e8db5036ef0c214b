using static Mnist.Torch.torch;

namespace Mnist.Torch.Modules;

/// <summary>2-D convolution. Weight [out, in/groups, k, k]; initialised as PyTorch does (kaiming_uniform_, a = √5).</summary>
public sealed class Conv2d : nn.Module<Tensor, Tensor>
{
    private readonly long[] stride, padding, dilation;
    private readonly long groups;

    internal Conv2d(long in_channels, long out_channels, long kernelSize, long stride, long padding, long dilation, long groups, bool bias)
        : base(nameof(Conv2d))
    {
        if (in_channels <= 0 || out_channels <= 0 || kernelSize <= 0 || stride <= 0 || padding < 0 || dilation <= 0 || groups <= 0)
            throw new System.ArgumentException($"Conv2d({in_channels}, {out_channels}, kernelSize: {kernelSize}, stride: {stride}, padding: {padding}, dilation: {dilation}, groups: {groups}): sizes must be positive and padding non-negative.");
        if (in_channels % groups != 0 || out_channels % groups != 0)
            throw new System.ArgumentException($"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by groups ({groups}).");
        this.stride = new[] { stride, stride };
        this.padding = new[] { padding, padding };
        this.dilation = new[] { dilation, dilation };
        this.groups = groups;
        in_channels_ = in_channels;
        out_channels_ = out_channels;
        kernel_size = kernelSize;
        weight = Parameter.Take(empty(new[] { out_channels, in_channels / groups, kernelSize, kernelSize }));
        register_parameter(nameof(weight), weight);
        if (bias)
        {
            this.bias = Parameter.Take(empty(new[] { out_channels }));
            register_parameter(nameof(this.bias), this.bias);
        }
        Initialization.ResetLinearLike(weight, this.bias, fanIn: in_channels / groups * kernelSize * kernelSize);
    }

    private readonly long in_channels_, out_channels_;

    public long in_channels => in_channels_;
    public long out_channels => out_channels_;
    public long kernel_size { get; }
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
}
