// The search's trainer: list, summary, train over the candidates declared in this assembly.
return Mnist.Dsl.Training.MnistTrainer.Run(args);
