using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// The small network (under 8,000 parameters): the default network's shape with narrower layers: 10 and 16
/// channels, one max-pool with a 1×1 squeeze to 10 channels, global average pooling and one fully connected layer.
/// </summary>
[Network(1, 28, 28, ParameterBudget = 8_000,
    Name = "small", Description = "the small network (< 8,000 parameters): 6 convs of 10-16 channels, BN, dropout 0.05, GAP, FC")]
[Conv2d(10, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 28 → 26, RF 3
[Conv2d(10, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 26 → 24, RF 5
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 24 → 22, RF 7
[MaxPool2d(2), Conv2d(10, 1, Bias = false)]                         // 22 → 11, RF 8
[Conv2d(10, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 11 → 9, RF 12
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 9 → 7, RF 16
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d]                    // 7 → 5, RF 20
[GlobalAvgPool2d, Linear(10), LogSoftmax]                           // RF 28
public partial class SmallNet;
