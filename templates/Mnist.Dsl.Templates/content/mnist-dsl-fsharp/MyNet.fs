namespace MyNets

open Mnist.Dsl

/// A network for 28×28 MNIST digits. Each attribute list is a block; layers run in source order. The build computes
/// every layer's shape, parameters and receptive field, and fails at the attribute at fault when the network breaks a
/// rule (over the parameter budget, no BatchNorm, no Dropout, no global average pooling, no fully connected layer, a
/// shape that does not work). The trainer finds the class when the program runs.
[<Network(1, 28, 28, Name = "mynet", Description = "my first network")>]
[<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 28 → 26
[<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 26 → 24
[<MaxPool2d(2); Conv2d(12, 1, Bias = false)>]                       // 24 → 12
[<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 12 → 10
[<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]   // 10 → 8
[<Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d>]                  // 8 → 6
[<GlobalAvgPool2d; Linear(10); LogSoftmax>]
type MyNet() = class end
