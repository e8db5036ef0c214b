using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// The fast network (under 20,000 parameters): the fewest multiply-adds found that hold 99.4% in the last 3 epochs
/// on 3 seeds: 15 epochs with the trainer's defaults, or 8 testing an average of the weights (`--epochs 8 --warmup 0.2
/// --ema 0.995`, what `./build.sh run` trains; docs/fastest.md). It pools right after the first convolution, so only 8 channels ever run at
/// 26×26; then 16 and 24 channels at 11×11 and 9×9, a second pool, a padded 24 and a 32 at 4×4 and 2×2, global
/// average pooling and one fully connected layer. 17,314 parameters and 0.58 million multiply-adds per image (the
/// default network: 2.77 million).
/// </summary>
[Network(1, 28, 28,
    Name = "fast", Description =
        "the fast network (< 20,000 parameters, 0.58M MACs): conv 8, pool, convs 16-24, pool, convs 24-32, BN, dropout 0.05, GAP, FC")]
[Conv2d(8, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                 // 28 → 26, RF 3
[MaxPool2d(2)]                                                                  // 26 → 13, RF 4
[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                // 13 → 11, RF 8
[Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]                // 11 → 9, RF 12
[MaxPool2d(2)]                                                                  // 9 → 4, RF 14
[Conv2d(24, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]   // 4 → 4, RF 22
[Conv2d(32, 3, Bias = false), ReLU, BatchNorm2d]                               // 4 → 2, RF 30
[GlobalAvgPool2d, Linear(10), LogSoftmax]                                       // RF 34
public partial class FastNet;
