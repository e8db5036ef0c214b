using System;
using System.Collections.Generic;
using System.IO;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training;
using Xunit;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>The trainer's command line in this process (MnistTrainer.Run over given networks), with what it printed.</summary>
internal static class TrainerCommandLine
{
    private static readonly object ConsoleLock = new();

    public static (int Exit, string Output, string Errors) Run(IEnumerable<RegisteredNetwork> networks, params string[] args)
    {
        lock (ConsoleLock)
        {
            var (output, errors) = (new StringWriter(), new StringWriter());
            var (oldOutput, oldErrors) = (Console.Out, Console.Error);
            Console.SetOut(output);
            Console.SetError(errors);
            try
            {
                var exit = MnistTrainer.Run(args, networks);
                return (exit, output.ToString(), errors.ToString());
            }
            finally
            {
                Console.SetOut(oldOutput);
                Console.SetError(oldErrors);
            }
        }
    }
}

/// <summary>The tests that swap the console run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
