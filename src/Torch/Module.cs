using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Torch.Modules;

namespace Mnist.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A network or layer. Submodules, parameters and buffers are registered by explicit calls, never
        /// found by reflection, so layers kept in arrays or fields of any kind are never missed.
        /// State-dict keys are the registration names joined with '.', as in PyTorch.
        /// </summary>
        public abstract partial class Module : IDisposable
        {
            private readonly List<(string name, Module module)> childModules = new();
            private readonly List<(string name, Parameter? parameter)> ownParameters = new();
            private readonly List<(string name, Tensor buffer, bool persistent)> ownBuffers = new();
            private bool disposed;

            protected Module(string name) => this.name = name;

            private readonly string name;

            public string GetName() => name;

            public bool training { get; private set; } = true;

            public Module register_module(string name, Module module)
            {
                CheckNewName(name);
                childModules.Add((name, module));
                module.training = training;
                return this;
            }

            public void register_parameter(string name, Parameter? param, bool requires_grad = true)
            {
                CheckNewName(name);
                if (param is not null) param.requires_grad = requires_grad;
                ownParameters.Add((name, param));
            }

            public void register_buffer(string name, Tensor tensor, bool persistent = true)
            {
                CheckNewName(name);
                tensor.DetachFromDisposeScope();
                ownBuffers.Add((name, tensor, persistent));
            }

            private void CheckNewName(string name)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"'{name}' is not a valid name for a submodule, parameter or buffer: it must be non-empty and contain no '.'.", nameof(name));
                if (childModules.Any(c => c.name == name) || ownParameters.Any(p => p.name == name) || ownBuffers.Any(b => b.name == name))
                    throw new ArgumentException($"{GetName()} already has a member registered as '{name}'.", nameof(name));
            }

            public IEnumerable<(string name, Module module)> named_children() => childModules;

            public IEnumerable<Module> children() => childModules.Select(c => c.module);

            /// <summary>This module (as "") and every submodule, depth first, with dotted names.</summary>
            public IEnumerable<(string name, Module module)> named_modules()
            {
                yield return ("", this);
                foreach (var (childName, child) in childModules)
                    foreach (var (sub, module) in child.named_modules())
                        yield return (sub.Length == 0 ? childName : childName + "." + sub, module);
            }

            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                foreach (var (n, p) in ownParameters)
                    if (p is not null) yield return (n, p);
                if (!recurse) yield break;
                foreach (var (childName, child) in childModules)
                    foreach (var (n, p) in child.named_parameters())
                        yield return (childName + "." + n, p);
            }

            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                foreach (var (n, b, _) in ownBuffers) yield return (n, b);
                if (!recurse) yield break;
                foreach (var (childName, child) in childModules)
                    foreach (var (n, b) in child.named_buffers())
                        yield return (childName + "." + n, b);
            }

            /// <summary>Parameters and persistent buffers by key, in PyTorch's order (own members, then children).</summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var result = new Dictionary<string, Tensor>();
                AddState(result, "");
                return result;
            }

            private void AddState(Dictionary<string, Tensor> into, string prefix)
            {
                foreach (var (n, p) in ownParameters)
                    if (p is not null) into.Add(prefix + n, p);
                foreach (var (n, b, persistent) in ownBuffers)
                    if (persistent) into.Add(prefix + n, b);
                foreach (var (childName, child) in childModules) child.AddState(into, prefix + childName + ".");
            }

            /// <summary>
            /// Copies values into this module's parameters and buffers. Every key, shape and dtype is checked
            /// first; with strict (the default) any difference throws one exception that lists them all.
            /// </summary>
            public (IList<string> missing_keys, IList<string> unexpected_keys) load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
            {
                var own = state_dict();
                var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
                var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
                var problems = new List<string>();
                if (strict)
                {
                    problems.AddRange(missing.Select(k => $"missing: {k} (expected [{Shape(own[k])}] {own[k].dtype})"));
                    problems.AddRange(unexpected.Select(k => $"unexpected: {k} [{Shape(source[k])}] {source[k].dtype}"));
                }
                foreach (var (key, target) in own)
                {
                    if (!source.TryGetValue(key, out var value)) continue;
                    var (expected, actual) = (target.shape, value.shape);
                    if (!expected.SequenceEqual(actual))
                        problems.Add($"shape: {key} is [{string.Join(", ", actual)}] but this model's is [{string.Join(", ", expected)}]");
                    else if (target.dtype != value.dtype)
                        problems.Add($"dtype: {key} is {value.dtype} but this model's is {target.dtype}");
                }
                if (problems.Count > 0)
                    throw new ArgumentException($"The state dict does not fit {GetName()} ({problems.Count} difference{(problems.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", problems));

                using (no_grad())
                    foreach (var (key, target) in own)
                        if (source.TryGetValue(key, out var value)) target.copy_(value);
                return (missing, unexpected);
            }

            private static string Shape(Tensor t) => string.Join(", ", t.shape);

            /// <summary>
            /// Sets this module and every submodule to training mode (or evaluation mode when false). Returns nothing,
            /// as in TorchSharp, so an F# caller writes <c>model.train()</c> without <c>|&gt; ignore</c>.
            /// </summary>
            public void train(bool train = true)
            {
                training = train;
                foreach (var (_, child) in childModules) child.train(train);
            }

            /// <summary>Evaluation mode: <c>train(false)</c>.</summary>
            public void eval() => train(false);

            /// <summary>Drops every parameter's gradient (PyTorch 2's default, set_to_none), or zeroes it.</summary>
            public void zero_grad(bool set_to_none = true)
            {
                foreach (var p in parameters())
                {
                    if (set_to_none) p.grad = null;
                    else
                    {
                        using var g = p.grad;
                        g?.zero_();
                    }
                }
            }

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            protected virtual void Dispose(bool disposing)
            {
                if (disposed || !disposing) return;
                disposed = true;
                foreach (var (_, p) in ownParameters) p?.Dispose();
                foreach (var (_, b, _) in ownBuffers) b.Dispose();
                foreach (var (_, c) in childModules) c.Dispose();
            }

            public override string ToString() => GetName();
        }

        /// <summary>A module with one input and one output, as TorchSharp's <c>Module&lt;T, TResult&gt;</c>.</summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name) : base(name) { }

            public abstract TResult forward(T input);

            public TResult call(T input) => forward(input);
        }
    }
}
