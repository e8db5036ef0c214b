using System;
using System.Collections.Generic;
using System.IO;
using Mnist.Dsl.Torch;
using TorchSharp;

namespace Mnist.Tests.Shared;

/// <summary>
/// Runs a script of python/ with Debian's PyTorch 1.13.1 (/usr/bin/python3; the python3 on PATH may have no
/// torch), passing tensors both ways as safetensors files: the script gets (input file, output file, extra
/// arguments...). The files are written and read by Mnist.Dsl.Training's SafeTensors, as weights files are.
/// </summary>
internal static class PyTorch
{
    public static Dictionary<string, torch.Tensor> Run(string script, IReadOnlyDictionary<string, torch.Tensor> inputs, params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("mnist-pytorch-");
        try
        {
            var input = Path.Combine(folder.FullName, "in.safetensors");
            var output = Path.Combine(folder.FullName, "out.safetensors");
            SafeTensors.Save(inputs, input);
            PythonScript.Run(script, [input, output, .. args]);
            return SafeTensors.Load(output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
