namespace Mnist.Dsl.Training.Data;

/// <summary>
/// The random angles of the rotation augmentation, with the TorchSharp backend's Augmentation semantics: one angle per image,
/// uniform on [-degrees, degrees], drawn in float64 (u · (high - low) + low), here from a <see cref="SeededRandom"/>.
/// </summary>
public static class RotationDraws
{
    public static double Angle(SeededRandom random, double degrees) =>
        degrees > 0 ? random.NextDouble() * (2 * degrees) + -degrees : 0;
}
