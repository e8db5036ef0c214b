using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// The fast network under 4,000 parameters (found by bench/pytorch/fastest_search.py, plan u11): the fast8k network's
/// layout, narrower: 8 channels at 26×26, a pool, 8 and 10 channels at 11×11 and 9×9, a second pool, two padded
/// 12-channel convolutions at 4×4, global average pooling and one fully connected layer. 3,974 parameters, about
/// 0.21 million multiply-adds per image. Record and recipe: docs/fastest.md.
/// </summary>
[Network(1, 28, 28, ParameterBudget = 4_000,
    Name = "fast4k", Description = "the fast network under 4,000 parameters (0.21M MACs): conv 8, pool, convs 8-10, pool, 2 padded convs 12, BN, dropout 0.05, GAP, FC")]
[Conv2d(8, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                 // 28 → 26, RF 3
[MaxPool2d(2)]                                                                  // 26 → 13, RF 4
[Conv2d(8, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                 // 13 → 11, RF 8
[Conv2d(10, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                // 11 → 9, RF 12
[MaxPool2d(2)]                                                                  // 9 → 4, RF 14
[Conv2d(12, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]   // 4 → 4, RF 22
[Conv2d(12, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d]                  // 4 → 4, RF 30
[GlobalAvgPool2d, Linear(10), LogSoftmax]                                       // RF 42
public partial class Fast4kNet;
