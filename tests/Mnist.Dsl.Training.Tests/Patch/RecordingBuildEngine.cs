using System.Collections;
using System.Collections.Generic;
using Microsoft.Build.Framework;

namespace Mnist.Dsl.Training.Tests.Patch;

/// <summary>What MSBuild gives a task to log through, reduced to recording the messages and warnings.</summary>
internal sealed class RecordingBuildEngine : IBuildEngine
{
    public List<string> Messages { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<string> Errors { get; } = new();

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e.Message ?? "");
    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e.Message ?? "");
    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e.Message ?? "");
    public void LogCustomEvent(CustomBuildEventArgs e) => Messages.Add(e.Message ?? "");

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
    public bool ContinueOnError => false;
    public int LineNumberOfTaskNode => 0;
    public int ColumnNumberOfTaskNode => 0;
    public string ProjectFileOfTaskNode => "Mnist.Dsl.targets";
}
