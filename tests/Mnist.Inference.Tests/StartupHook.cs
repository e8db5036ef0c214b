using System;
using System.IO;

/// <summary>
/// Loaded into the Mnist.Classify process by DOTNET_STARTUP_HOOKS (NoLibtorchProcessTests): at exit, after it has
/// classified, writes that process's /proc/self/maps to the file MNIST_DSL_MAPS_DUMP names, so the test reads
/// what the process really mapped rather than what the sample reports about itself. It uses nothing but the base
/// library, so it maps no torch runtime of its own. (Startup hooks must be this type: global namespace, this name.)
/// </summary>
internal static class StartupHook
{
    public const string DumpVariable = "MNIST_DSL_MAPS_DUMP";

    public static void Initialize()
    {
        var target = Environment.GetEnvironmentVariable(DumpVariable);
        if (string.IsNullOrEmpty(target)) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.WriteAllText(target, File.ReadAllText("/proc/self/maps"));
    }
}
