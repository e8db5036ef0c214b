using System;
using System.Globalization;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>How many cases a property test runs: its default in the suite, or an environment variable's value for a longer run by hand.</summary>
internal static class PropertyRunSize
{
    public static int Read(string variable, int suiteDefault)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return suiteDefault;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{variable}={text} is not a case count: set it to a positive whole number (e.g. {variable}=5000), or unset it for the suite's {suiteDefault}");
    }
}
