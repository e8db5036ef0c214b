using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// The fast network (under 20,000 parameters, found by bench/pytorch/fastest_search.py, plan a7): pools right after
/// the first convolution so that only 8 channels ever run at 26×26, then 16 and 24 channels at 11×11 and 9×9, a second
/// pool and 32 channels at 2×2, global average pooling and one fully connected layer. 12,082 parameters, about
/// 0.50 million multiply-adds per image (the default network: 2.77 million). Record and recipe: docs/fastest.md.
/// Its output sees 26×26 of the 28×28 input (MNIST0014): MNIST's digits sit in the central 20×20, so the outer
/// pixel ring carries nothing; kept so.
/// </summary>
#pragma warning disable MNIST0014 // receptive field 26 < 28: the border ring of MNIST is blank
[Network(1, 28, 28,
    Name = "fast", Description = "the fast network (< 20,000 parameters, 0.50M MACs): conv 8, pool, convs 16-24, pool, conv 32, BN, dropout 0.05, GAP, FC")]
[Conv2d(8, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]     // 28 → 26, RF 3
[MaxPool2d(2)]                                                      // 26 → 13, RF 4
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 13 → 11, RF 8
[Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 11 → 9, RF 12
[MaxPool2d(2)]                                                      // 9 → 4, RF 14
[Conv2d(32, 3, Bias = false), ReLU, BatchNorm2d]                    // 4 → 2, RF 22
[GlobalAvgPool2d, Linear(10), LogSoftmax]                           // RF 26
public partial class FastNet;
#pragma warning restore MNIST0014
