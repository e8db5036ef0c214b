using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Mnist.Dsl.Torch;

/// <summary>
/// Random rotation, translation and scaling of a batch of images, each image its own draw, computed with
/// <c>affine_grid</c> and <c>grid_sample</c> as torchvision's <c>RandomRotation</c>/<c>RandomAffine</c> do on
/// tensors (align_corners=False, angles counter-clockwise). The draws come from libtorch's default
/// generator (<c>torch.rand</c>), so <see cref="torch.manual_seed"/> makes them reproducible.
/// <para>
/// The images are already normalised, but torchvision rotates before normalising and fills with black (0):
/// filling normalised images with 0 would paint mid-grey corners. So the area outside the source is filled
/// with <see cref="Fill"/>, by default normalised black (-mean/std).
/// </para>
/// </summary>
/// <param name="degrees">Angles are uniform on [-degrees, degrees].</param>
/// <param name="translate">Shifts are uniform on ±translate × width horizontally and ± translate × height
/// vertically (torchvision rounds them to whole pixels; these are not rounded).</param>
/// <param name="minScale">Scales are uniform on [minScale, maxScale].</param>
/// <param name="maxScale">See minScale; 1 and 1 (the default) do not scale.</param>
/// <param name="fill">The value outside the source image, in the images' (normalised) units.</param>
/// <param name="interpolation">Bilinear by default; torchvision's RandomRotation defaults to nearest.</param>
public sealed class Augmentation(double degrees = 7, double translate = 0, double minScale = 1, double maxScale = 1,
    double fill = MnistDataset.NormalizedBlack, GridSampleMode interpolation = GridSampleMode.Bilinear)
{
    // Each range is checked as it is stored (in this order, as the initialisers run); a NaN fails every check.
    public double Degrees { get; } = degrees >= 0
        ? degrees
        : throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "The rotation range must be 0 or more degrees.");

    public double Translate { get; } = translate is >= 0 and <= 1
        ? translate
        : throw new ArgumentOutOfRangeException(nameof(translate), translate, "The translation is a fraction of the size, on [0, 1].");

    public double MinScale { get; } = minScale > 0 && maxScale >= minScale
        ? minScale
        : throw new ArgumentOutOfRangeException(nameof(minScale), $"The scale range [{minScale}, {maxScale}] must be positive and not reversed.");

    public double MaxScale { get; } = maxScale;
    public double Fill { get; } = fill;
    public GridSampleMode Interpolation { get; } = interpolation;

    /// <summary>
    /// Draws a transform per image and applies it. Images are [N, C, H, W]; the result has the same shape
    /// and is created in the caller's dispose scope (the draws and the grid are freed here).
    /// </summary>
    public torch.Tensor Apply(torch.Tensor images)
    {
        CheckImages(images);
        var n = images.size(0);
        using var scope = torch.NewDisposeScope();
        // Uniform draws in float64, as torchvision draws its parameters in Python floats.
        var angles = Degrees > 0 ? Uniform(new[] { n }, -Degrees, Degrees) : torch.zeros(new[] { n }, torch.float64);
        torch.Tensor? shifts = null;
        if (Translate > 0)
        {
            var fraction = Uniform(new[] { n, 2 }, -Translate, Translate);
            using var size = torch.tensor(new double[] { images.size(3), images.size(2) }, new long[] { 1, 2 });
            shifts = fraction * size;
        }
        var scales = MaxScale > MinScale ? Uniform(new[] { n }, MinScale, MaxScale) : null;
        if (scales is null && MinScale != 1) scales = torch.full(new[] { n }, MinScale, torch.float64);
        var result = Affine(images, angles, shifts, scales, Fill, Interpolation);
        // MoveToOuter, not DisposeEverythingBut: the latter keeps the result in this scope, which frees it on return.
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// Rotates each image by its angle (degrees, counter-clockwise as displayed), scales it by its scale and
    /// shifts it by its translation (pixels, x right and y down), about the image centre: torchvision's
    /// <c>F.affine</c>/<c>F.rotate</c> on tensors, with the area outside the source filled with <paramref name="fill"/>.
    /// </summary>
    /// <param name="images">[N, C, H, W], floating point.</param>
    /// <param name="angles">[N] degrees.</param>
    /// <param name="translations">[N, 2] pixels (x, y), or null for none.</param>
    /// <param name="scales">[N], or null for 1.</param>
    /// <param name="fill">The value outside the source, in the images' units (normalised black for normalised MNIST).</param>
    /// <param name="interpolation">How the source is sampled between pixels.</param>
    public static torch.Tensor Affine(torch.Tensor images, torch.Tensor angles, torch.Tensor? translations, torch.Tensor? scales, double fill,
        GridSampleMode interpolation = GridSampleMode.Bilinear)
    {
        CheckImages(images);
        long n = images.size(0), height = images.size(2), width = images.size(3);
        Expect(angles, new[] { n }, nameof(angles));
        if (translations is not null) Expect(translations, new[] { n, 2 }, nameof(translations));
        if (scales is not null) Expect(scales, new[] { n }, nameof(scales));

        using var scope = torch.NewDisposeScope();
        // Pixel coordinates about the centre, y down: the source point of output point p is
        // A (p - t) with A = R(angle) / scale, R = [[cos, -sin], [sin, cos]] (torchvision's inverse matrix).
        // affine_grid works in coordinates normalised by half the size, so A becomes S⁻¹ A S with
        // S = diag(W/2, H/2) (which keeps rotations of non-square images undistorted) and t becomes S⁻¹ t.
        var radians = angles.to_type(torch.float64) * (Math.PI / 180);
        var cos = radians.cos();
        var sin = radians.sin();
        if (scales is not null)
        {
            var scale = scales.to_type(torch.float64);
            cos = cos / scale;
            sin = sin / scale;
        }
        var a00 = cos;
        var a01 = sin * (-(double)height / width);
        var a10 = sin * ((double)width / height);
        var a11 = cos;
        torch.Tensor b0, b1;
        if (translations is null)
        {
            b0 = torch.zeros(new[] { n }, torch.float64);
            b1 = b0;
        }
        else
        {
            var t = translations.to_type(torch.float64);
            var tx = t.narrow(1, 0, 1).reshape(n) * (2.0 / width);
            var ty = t.narrow(1, 1, 1).reshape(n) * (2.0 / height);
            b0 = -(a00 * tx + a01 * ty);
            b1 = -(a10 * tx + a11 * ty);
        }
        var theta = torch.stack(new[] { a00, a01, b0, a10, a11, b1 }, 1).reshape(n, 2, 3).to_type(images.dtype);
        var grid = functional.affine_grid(theta, images.shape, align_corners: false);

        // grid_sample pads with zeros; shifting the fill to zero and back pads with the fill instead, and
        // changes nothing inside the image because the interpolation weights sum to one.
        var result = fill == 0
            ? functional.grid_sample(images, grid, interpolation, GridSamplePaddingMode.Zeros, align_corners: false)
            : functional.grid_sample(images - fill, grid, interpolation, GridSamplePaddingMode.Zeros, align_corners: false).add_(fill);
        return scope.MoveToOuter(result);
    }

    private static torch.Tensor Uniform(long[] shape, double low, double high)
    {
        using var u = torch.rand(shape, torch.float64);
        return u * (high - low) + low;
    }

    private static void CheckImages(torch.Tensor images)
    {
        if (images.Dimensions != 4)
            throw new ArgumentException(
                $"Augmentation takes a batch of images [N, C, H, W]; this tensor has shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (images.dtype is not (torch.ScalarType.Float32 or torch.ScalarType.Float64))
            throw new ArgumentException($"Augmentation takes floating-point images; these hold {images.dtype}.", nameof(images));
    }

    private static void Expect(torch.Tensor tensor, long[] shape, string name)
    {
        if (!tensor.shape.AsSpan().SequenceEqual(shape))
            throw new ArgumentException(
                $"{name} must have shape [{string.Join(", ", shape)}] (one per image), not [{string.Join(", ", tensor.shape)}].", name);
    }
}
