/// A network declared with the DSL's attributes on an F# class, as C# declares them: checked when the project is
/// built with the Mnist.Dsl package (its build step; this sample references the projects, so only at run time here),
/// and found at run time by AttributedNetworks, which registers it like the F# lists.
namespace Mnist.FSharp

open Mnist.Dsl

/// Mnist.Models.DefaultNet's layers, in the same order, as attributes.
[<Network(1, 28, 28, Name = "fsharp-attributed", Description = "DefaultNet's layers as attributes on an F# class (found at run time)")>]
[<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 28 → 26, RF 3
[<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 26 → 24, RF 5
[<MaxPool2d(2); Conv2d(12, 1, Bias = false)>]                       // 24 → 12, RF 6
[<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 12 → 10, RF 10
[<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 10 → 8, RF 14
[<Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d>]                  // 8 → 6, RF 18
[<GlobalAvgPool2d; Linear(10); LogSoftmax>]                         // RF 28
type AttributedNet() = class end
