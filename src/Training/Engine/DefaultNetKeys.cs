using System.Collections.Generic;

namespace Mnist.Dsl.Training.Engine;

/// <summary>
/// The hand-composed DefaultNet trainer names its tensors as tests/python's twin does (layers.N: the Nth module of a
/// list); the generated module names them by kind and count (conv1, bn1, fc1). Temporary, with <see cref="EngineTrainers"/>.
/// </summary>
internal static class DefaultNetKeys
{
    private static readonly Dictionary<string, string> Modules = new()
    {
        ["layers.0"] = "conv1", ["layers.2"] = "bn1", ["layers.4"] = "conv2", ["layers.6"] = "bn2", ["layers.9"] = "conv3",
        ["layers.10"] = "conv4", ["layers.12"] = "bn3", ["layers.14"] = "conv5", ["layers.16"] = "bn4", ["layers.18"] = "conv6",
        ["layers.20"] = "bn5", ["fc"] = "fc1",
    };

    public static string ModuleKey(string name)
    {
        var dot = name.LastIndexOf('.');
        return Modules.TryGetValue(name[..dot], out var module) ? module + name[dot..] : name;
    }
}
