using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// The default network (under the 20,000-parameter budget): two 3×3 convolutions widen to 24 channels at full
/// resolution, one max-pool with a 1×1 squeeze, three more 3×3 convolutions to 32 channels, global average
/// pooling and one fully connected layer. Every convolution is followed by ReLU, BatchNorm and a little dropout;
/// no biases before BatchNorm (it would cancel them).
/// </summary>
[Network(1, 28, 28,
    Name = "default", Description = "the default network: 5 convs (16-24, 1x1 squeeze, 16-24-32), BN, dropout 0.05, GAP, FC")]
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 28 → 26, RF 3
[Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 26 → 24, RF 5
[MaxPool2d(2), Conv2d(12, 1, Bias = false)]                         // 24 → 12, RF 6
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 12 → 10, RF 10
[Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]    // 10 → 8, RF 14
[Conv2d(32, 3, Bias = false), ReLU, BatchNorm2d]                    // 8 → 6, RF 18
[GlobalAvgPool2d, Linear(10), LogSoftmax]                           // RF 28
public partial class DefaultNet;
