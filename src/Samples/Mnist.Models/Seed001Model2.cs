using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// Seed 001, "Model Architecture 2: with CNN only" (9,626 parameters): the last 3×3 convolution leaves a
/// 10×1×1 map, one value per class, so it has neither global average pooling nor a fully connected layer.
/// The analyzer reports both (MNIST0004, MNIST0005); leaving them out of Requires switches the two rules off
/// for this network only, which is how a model that breaks a rule on purpose is declared.
/// </summary>
[Network(1, 28, 28, Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout,
    Name = "seed001-2", Description = "seed 001, model 2: CNN only (no GAP, no FC)")]
[Conv2d(16, 3), ReLU(Functional = true), BatchNorm2d]
[Conv2d(32, 3), ReLU(Functional = true), BatchNorm2d, MaxPool2d(2)]
[Conv2d(10, 3), ReLU(Functional = true), BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
[Conv2d(10, 3), ReLU(Functional = true), Dropout(0.1)]
[Conv2d(10, 3), LogSoftmax(Functional = true)]
public partial class Seed001Model2;
