using System;
using System.IO;
using System.Linq;
using Mnist.Dsl.Registry;
using Mnist.Models;
using Xunit;

namespace Mnist.Dsl.Training.Tests;

/// <summary>MnistTrainer.Run over an explicit list of networks: the command line knows those and no others.</summary>
[Collection(Serial.Name)]
public sealed class MnistTrainerTests
{
    private static readonly NetworkRegistry Samples = NetworkRegistry.Of(typeof(DefaultNet).Assembly);

    [Fact]
    public void The_list_command_lists_the_networks_given_and_summary_knows_only_them()
    {
        var given = new[] { Samples.Find("small"), Samples.Find("seed004") };
        var (code, stdout, _) = Capture(() => MnistTrainer.Run(new[] { "list" }, given));
        Assert.Equal(0, code);
        Assert.Equal(new[] { "small", "seed004" }, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));

        var (summaryCode, summary, _) = Capture(() => MnistTrainer.Run(new[] { "summary", "seed004" }, given));
        Assert.Equal(0, summaryCode);
        Assert.Contains(Samples.Find("seed004").Summary.ToTable(), summary);

        var (unknownCode, _, error) = Capture(() => MnistTrainer.Run(new[] { "summary", "default" }, given));
        Assert.Equal(2, unknownCode);
        Assert.Contains("Unknown model 'default'. Known models: small, seed004", error);
    }

    [Fact]
    public void With_no_networks_it_says_how_to_declare_one()
    {
        var (code, _, error) = Capture(() => MnistTrainer.Run(new[] { "train" }, Array.Empty<RegisteredNetwork>()));
        Assert.Equal(2, code);
        Assert.Contains("declare one with [Network]", error);
    }

    private static (int Code, string Stdout, string Stderr) Capture(Func<int> run)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var outWriter = new StringWriter();
        using var errWriter = new StringWriter();
        Console.SetOut(outWriter);
        Console.SetError(errWriter);
        try
        {
            return (run(), outWriter.ToString(), errWriter.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
