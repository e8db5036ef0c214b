using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Mnist.Dsl.Training.Serialization;
using TorchSharp;

namespace Mnist.Tests.Shared;

/// <summary>
/// Runs a script of python/ with Debian's PyTorch 1.13.1 (/usr/bin/python3; the python3 on PATH may have no
/// torch), passing tensors both ways as safetensors files: the script gets (input file, output file, extra
/// arguments...). The files are written and read by Mnist.Dsl.Training's SafeTensors, as weights files are.
/// </summary>
internal static class PyTorch
{
    public const string Python = "/usr/bin/python3";

    public static Dictionary<string, torch.Tensor> Run(string script, IReadOnlyDictionary<string, torch.Tensor> inputs, params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("mnist-pytorch-");
        try
        {
            var input = Path.Combine(folder.FullName, "in.safetensors");
            var output = Path.Combine(folder.FullName, "out.safetensors");
            SafeTensors.Save(inputs, input);
            var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", script));
            start.ArgumentList.Add(input);
            start.ArgumentList.Add(output);
            foreach (var a in args) start.ArgumentList.Add(a);
            start.Environment["OMP_NUM_THREADS"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{script} failed (exit {process.ExitCode}). Is python3-torch installed (./build.sh test installs it)?\n{stderr}\n{stdout.Result}");
            return SafeTensors.Load(output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
