using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// The fast network under 8,000 parameters (found by bench/pytorch/fastest_search.py, plan b4): 8 channels at 26×26,
/// a pool, 12 and 16 channels at 11×11 and 9×9, a second pool, two padded 16-channel convolutions at 4×4, global average
/// pooling and one fully connected layer. 7,578 parameters, about 0.37 million multiply-adds per image (the small
/// network: 1.50 million). Record and recipe: docs/fastest.md.
/// </summary>
[Network(1, 28, 28, ParameterBudget = 8_000,
    Name = "fast8k", Description = "the fast network under 8,000 parameters (0.37M MACs): conv 8, pool, convs 12-16, pool, 2 padded convs 16, BN, dropout 0.05, GAP, FC")]
[Conv2d(8, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                 // 28 → 26, RF 3
[MaxPool2d(2)]                                                                  // 26 → 13, RF 4
[Conv2d(12, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                // 13 → 11, RF 8
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                // 11 → 9, RF 12
[MaxPool2d(2)]                                                                  // 9 → 4, RF 14
[Conv2d(16, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]   // 4 → 4, RF 22
[Conv2d(16, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d]                  // 4 → 4, RF 30
[GlobalAvgPool2d, Linear(10), LogSoftmax]                                       // RF 42
public partial class Fast8kNet;
