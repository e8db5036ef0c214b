using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// The network of seed 004 (shared/seeds/004): blocks of Conv → ReLU → BatchNorm → Dropout(0.1), 1×1
/// transitions with max pooling, global average pooling and one fully connected layer. The seed does not
/// say whether its convolutions have biases; like the notebooks it comes from, they have none.
/// </summary>
[Network(1, 28, 28, Classes = 10,
    Name = "seed004", Description = "seed 004's network: conv blocks with BN and dropout, 1x1 transitions, GAP, FC")]
// Input block: 28 → 26; convolution block 1: 26 → 24
[Conv2d(12, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.1)]
[Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.1)]
// Transition block 1: 24 → 12
[Conv2d(12, 1, Bias = false), MaxPool2d(2)]
// Convolution block 2: 12 → 10 → 10
[Conv2d(20, 3, Bias = false), ReLU, BatchNorm2d(Momentum = 0.2), Dropout(0.1)]
[Conv2d(32, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d(Momentum = 0.2), Dropout(0.1)]
// Transition block 2: 10 → 5
[Conv2d(16, 1, Bias = false), MaxPool2d(2)]
// Convolution block 3: 5 → 5 → 5
[Conv2d(16, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d(Momentum = 0.2), Dropout(0.1)]
[Conv2d(32, 3, Padding = 1, Bias = false), ReLU, BatchNorm2d(Momentum = 0.2), Dropout(0.1)]
// Global average pooling, the fully connected layer, log-probabilities for nll_loss
[GlobalAvgPool2d, Linear(10), LogSoftmax]
public partial class Seed004Net;
