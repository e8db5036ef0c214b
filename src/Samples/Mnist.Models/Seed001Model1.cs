using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// Seed 001, "Model Architecture 1: with CNN and Linear NN at the last layer" (17,502 parameters). Its
/// notebook calls F.relu and x.view, so those are functional here and, as in its torchsummary table, have no
/// rows. It has no global average pooling, so that rule is switched off for this network alone.
/// Its output sees 26×26 of the 28×28 input (MNIST0014): true of the seed's network, kept as it is.
/// </summary>
#pragma warning disable MNIST0014 // receptive field smaller than the input, as in the seed
[Network(1, 28, 28, Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout | RequiredLayers.FullyConnected,
    Name = "seed001-1", Description = "seed 001, model 1: CNN with a linear head")]
[Conv2d(32, 3), BatchNorm2d, ReLU(Functional = true), MaxPool2d(2)]
[Conv2d(32, 3), BatchNorm2d, ReLU(Functional = true), MaxPool2d(2)]
[Conv2d(16, 3), BatchNorm2d, ReLU(Functional = true), Dropout(0.1)]
[Flatten(Functional = true), Linear(20), BatchNorm1d, ReLU(Functional = true), Dropout(0.1)]
[Linear(10), LogSoftmax(Functional = true)]
public partial class Seed001Model1;
#pragma warning restore MNIST0014
