using System;
using System.Diagnostics;
using Xunit;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>
/// Debian's python3-onnx (1.12) at /usr/bin/python3 (the python3 on PATH may be another): its checker with
/// full_check, which also runs ONNX's shape inference over the graph. ./build.sh setup installs it; where it is absent
/// the tests that need it are skipped, saying so.
/// </summary>
internal static class OnnxChecker
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Null when the checker can run; else why not, and how to get it.</summary>
    public static readonly Lazy<string?> Missing = new(() =>
    {
        try
        {
            var (exit, _, errors) = Run("import onnx");
            return exit == 0 ? null : $"Debian's python3-onnx is not installed ({errors.Trim().Split('\n')[^1]}): ./build.sh setup installs it (apt-get install python3-onnx)";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} cannot be run ({e.Message}): ./build.sh setup installs Debian's python3-onnx";
        }
    });

    /// <summary>
    /// Checks the file; returns the checker's line "ir_version opset input_shape output_shape" (the shapes after ONNX's
    /// own shape inference). A model the checker refuses throws with its message.
    /// </summary>
    public static string Check(string path)
    {
        const string Code = """
            import sys, onnx
            model = onnx.load(sys.argv[1])
            onnx.checker.check_model(model, full_check=True)
            inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
            def shape(v): return "x".join(d.dim_param or str(d.dim_value) for d in v.type.tensor_type.shape.dim)
            print(model.ir_version, model.opset_import[0].version, shape(inferred.graph.input[0]), shape(inferred.graph.output[0]))
            """;
        var (exit, output, errors) = Run(Code, path);
        if (exit != 0) throw new InvalidOperationException($"onnx.checker refuses {path} (exit {exit}):\n{errors}");
        return output.Trim();
    }

    private static (int Exit, string Output, string Errors) Run(string code, params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }
}

/// <summary>A theory that is skipped, with the reason, where Debian's python3-onnx is absent.</summary>
public sealed class OnnxCheckerTheoryAttribute : TheoryAttribute
{
    public OnnxCheckerTheoryAttribute()
    {
        if (OnnxChecker.Missing.Value is { } reason) Skip = reason;
    }
}
