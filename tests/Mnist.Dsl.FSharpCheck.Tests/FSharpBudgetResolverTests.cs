using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Mnist.Dsl.FSharpCheck.Tests;

/// <summary>
/// The F# budgets resolved before the compiler, in the C# analyzer's order (ParameterBudgetTests holds the same cases for
/// C#): .editorconfig for the network's file, then the key in a global config, then &lt;MnistDslParameterBudget&gt;; a value that
/// is not a positive number is no setting. Real files in a temporary folder, read by Roslyn's AnalyzerConfigSet.
/// </summary>
public sealed class FSharpBudgetResolverTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mnist-fsharp-budgets-").FullName;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private string Network(string name, string file) => Write(file, $"""
        module Nets.{name}Module

        open Mnist.Dsl

        [<Network(1, 28, 28)>]
        [<Conv2d(8, 3); ReLU>]
        type {name}() = class end
        """);

    private static FSharpBudgets Resolve(IEnumerable<string> sources, IEnumerable<string> configs, string? project = null) =>
        FSharpBudgetResolver.Resolve(sources.ToArray(), configs.ToArray(), project);

    [Fact]
    public void Each_file_gets_the_budget_of_its_own_editorconfig_section()
    {
        var config = Write(".editorconfig", "root = true\n\n[Strict/*.fs]\nmnist_dsl.parameter_budget = 21_000\n\n[Lenient/*.fs]\nmnist_dsl.parameter_budget = 30,000\n");
        var sources = new[] { Network("StrictNet", "Strict/StrictNet.fs"), Network("LenientNet", "Lenient/LenientNet.fs"), Network("PlainNet", "PlainNet.fs") };

        var budgets = Resolve(sources, [config], "25000");

        Assert.Equal(new Dictionary<string, int> { ["StrictNet"] = 21_000, ["LenientNet"] = 30_000 }, budgets.Networks);
        Assert.Equal(25_000, budgets.Project);
        Assert.Empty(budgets.Conflicts);
    }

    [Fact]
    public void A_nearer_editorconfig_wins_and_root_true_stops_the_search()
    {
        var outer = Write(".editorconfig", "[*.fs]\nmnist_dsl.parameter_budget = 40000\n");
        var inner = Write("Nets/.editorconfig", "[*.fs]\nmnist_dsl.parameter_budget = 21000\n");
        var rootInner = Write("Rooted/.editorconfig", "root = true\n\n[Other*.fs]\nmnist_dsl.parameter_budget = 22000\n");
        var sources = new[] { Network("Near", "Nets/Near.fs"), Network("Far", "Far.fs"), Network("Rooted", "Rooted/Rooted.fs") };

        var budgets = Resolve(sources, [outer, inner, rootInner]);

        // Rooted/ has its own root .editorconfig without a section for Rooted.fs: the outer 40,000 does not reach it.
        Assert.Equal(new Dictionary<string, int> { ["Near"] = 21_000, ["Far"] = 40_000 }, budgets.Networks);
        Assert.Null(budgets.Project);
    }

    /// <summary>A global config (.globalconfig, or is_global = true) sets the project's budget: over MSBuild's, under a file's.</summary>
    [Fact]
    public void A_global_analyzer_config_setting_sits_between_editorconfig_and_MSBuild()
    {
        var global = Write(".globalconfig", "is_global = true\nmnist_dsl.parameter_budget = 21000\n");
        var editorConfig = Write(".editorconfig", "root = true\n\n[Near.fs]\nmnist_dsl.parameter_budget = 30000\n");
        var sources = new[] { Network("Near", "Near.fs"), Network("Far", "Far.fs") };

        var budgets = Resolve(sources, [global, editorConfig], "40000");

        Assert.Equal(21_000, budgets.Project);
        Assert.Equal(new Dictionary<string, int> { ["Near"] = 30_000 }, budgets.Networks);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("lots")]
    [InlineData("")]
    public void A_setting_that_is_not_a_positive_number_falls_through_to_the_next_source(string value)
    {
        var editorConfig = Write(".editorconfig", $"root = true\n\n[*.fs]\nmnist_dsl.parameter_budget = 30000\n\n[Bad.fs]\nmnist_dsl.parameter_budget = {value}\n");
        var global = Write("project.globalconfig", $"is_global = true\nmnist_dsl.parameter_budget = {value}\n");
        var sources = new[] { Network("Bad", "Bad.fs"), Network("Good", "Good.fs") };

        var budgets = Resolve(sources, [editorConfig, global], "21000");

        // Bad.fs: its own section's value is no setting, so the project's (MSBuild's, the global one being no setting either).
        Assert.Equal(new Dictionary<string, int> { ["Good"] = 30_000 }, budgets.Networks);
        Assert.Equal(21_000, budgets.Project);
        Assert.Null(Resolve(sources, [], value).Project);
    }

    [Fact]
    public void Without_configuration_files_only_MSBuild_counts()
    {
        var budgets = Resolve([Network("Net", "Net.fs")], [], "21_000");

        Assert.Equal((21_000, 0), (budgets.Project, budgets.Networks.Count));
    }

    /// <summary>One metadata entry per type name: two networks of one name in files with different budgets are an error, not a guess.</summary>
    [Fact]
    public void Two_networks_of_one_name_under_different_budgets_are_a_conflict()
    {
        var config = Write(".editorconfig", "root = true\n\n[A/*.fs]\nmnist_dsl.parameter_budget = 21000\n");
        var sources = new[] { Network("Net", "A/Net.fs"), Network("Net", "B/Net.fs") };

        var conflict = Assert.Single(Resolve(sources, [config]).Conflicts);

        Assert.Equal(("Net", sources[1], 7, 6), (conflict.Name, conflict.File, conflict.Line, conflict.Column));
        Assert.StartsWith($"Net is declared as a network here and in {sources[0]}, and their .editorconfig give different parameter budgets (none here, 21,000 there)", conflict.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
