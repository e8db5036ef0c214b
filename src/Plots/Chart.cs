using System.Collections.Generic;

namespace Mnist.Plots;

/// <summary>One line: its legend name and its points in data coordinates.</summary>
public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>One set of axes with its title, axis labels and lines.</summary>
public sealed record Panel(string Title, string XLabel, string YLabel, IReadOnlyList<Series> Series);
