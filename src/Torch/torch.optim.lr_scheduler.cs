using System.Collections.Generic;
using Mnist.Torch.Optim;

namespace Mnist.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// Learning-rate scheduler factories with TorchSharp's names and defaults (-1 stands for PyTorch's
        /// None). Each reproduces PyTorch 1.13's arithmetic, so a schedule gives the same rates in both.
        /// </summary>
        public static class lr_scheduler
        {
            /// <summary>Multiplies the rate by gamma every step_size epochs.</summary>
            public static StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1)
                => new(optimizer, step_size, gamma, last_epoch);

            /// <summary>Multiplies the rate by gamma at each milestone epoch.</summary>
            public static MultiStepLR MultiStepLR(Optimizer optimizer, IList<int> milestones, double gamma = 0.1, int last_epoch = -1)
                => new(optimizer, milestones, gamma, last_epoch);

            /// <summary>The 1cycle policy over total_steps (or epochs·steps_per_epoch) batches, cycling the momentum too.</summary>
            public static OneCycleLR OneCycleLR(Optimizer optimizer, double max_lr, int total_steps = -1, int epochs = -1, int steps_per_epoch = -1,
                double pct_start = 0.3, Optim.OneCycleLR.AnnealStrategy anneal_strategy = Optim.OneCycleLR.AnnealStrategy.Cos, bool cycle_momentum = true,
                double base_momentum = 0.85, double max_momentum = 0.95, double div_factor = 25, double final_div_factor = 1e4, bool three_phase = false,
                int last_epoch = -1)
                => new(optimizer, max_lr, total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy, cycle_momentum, base_momentum, max_momentum,
                    div_factor, final_div_factor, three_phase, last_epoch);

            /// <summary>Divides the rate when a metric stops improving; step it with the metric.</summary>
            public static ReduceLROnPlateau ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10, double threshold = 1e-4,
                string threshold_mode = "rel", int cooldown = 0, double min_lr = 0, double eps = 1e-8)
                => new(optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps);
        }
    }
}
