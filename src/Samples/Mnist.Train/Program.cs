// The sample trainer: list, summary, train, eval over the sample networks declared in this assembly.
return Mnist.Dsl.Training.MnistTrainer.Run(args);
