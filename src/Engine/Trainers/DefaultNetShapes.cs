using Mnist.Dsl.Engine.Convolution;

namespace Mnist.Dsl.Engine.Trainers;

// The convolutions of Mnist.Models.DefaultNet as a generated trainer would declare them: shapes as constants.
#pragma warning disable CS1591
public struct DefaultConv1 : IConv2dShape
{
    public static int InChannels => 1; public static int OutChannels => 16; public static int Height => 28; public static int Width => 28;
    public static int Kernel => 3; public static int Stride => 1; public static int Padding => 0; public static bool Bias => false;
}

public struct DefaultConv2 : IConv2dShape
{
    public static int InChannels => 16; public static int OutChannels => 24; public static int Height => 26; public static int Width => 26;
    public static int Kernel => 3; public static int Stride => 1; public static int Padding => 0; public static bool Bias => false;
}

public struct DefaultConv3 : IConv2dShape
{
    public static int InChannels => 24; public static int OutChannels => 12; public static int Height => 12; public static int Width => 12;
    public static int Kernel => 1; public static int Stride => 1; public static int Padding => 0; public static bool Bias => false;
}

public struct DefaultConv4 : IConv2dShape
{
    public static int InChannels => 12; public static int OutChannels => 16; public static int Height => 12; public static int Width => 12;
    public static int Kernel => 3; public static int Stride => 1; public static int Padding => 0; public static bool Bias => false;
}

public struct DefaultConv5 : IConv2dShape
{
    public static int InChannels => 16; public static int OutChannels => 24; public static int Height => 10; public static int Width => 10;
    public static int Kernel => 3; public static int Stride => 1; public static int Padding => 0; public static bool Bias => false;
}

public struct DefaultConv6 : IConv2dShape
{
    public static int InChannels => 24; public static int OutChannels => 32; public static int Height => 8; public static int Width => 8;
    public static int Kernel => 3; public static int Stride => 1; public static int Padding => 0; public static bool Bias => false;
}
#pragma warning restore CS1591
