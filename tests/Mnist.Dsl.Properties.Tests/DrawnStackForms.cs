using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Lowering;
using Mnist.Dsl.Testing;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// The fixed-seed run of the generator's draws that the reach tests count over: as many stacks as ten runs of the
/// gradient property draw, each lowered as the engine lowers it.
/// </summary>
internal static class DrawnStackForms
{
    public const int Draws = 600;

    /// <summary>How many lowered steps of the drawn stacks show each form, and how many stacks show any.</summary>
    public static (SortedDictionary<string, int> Counts, int Stacks) Count(Func<EngineStep, IEnumerable<string>> forms)
    {
        var random = new Random(2212);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int stacks = 0;
        for (int i = 0; i < Draws; i++)
        {
            var found = EngineLowering.Of(ValidStacks.Draw(random).Definition).Steps.SelectMany(forms).ToList();
            if (found.Count > 0) stacks++;
            foreach (var form in found) counts[form] = counts.GetValueOrDefault(form) + 1;
        }
        return (counts, stacks);
    }
}
