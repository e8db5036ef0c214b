namespace Mnist.Dsl.Registry;

/// <summary>
/// MNIST0018's rule and message, for the C# analyzer (RegistryNameCheck) and the F# build check alike: a name declared
/// with [Network(Name = ...)] is how trainers and classifiers find the network in its assembly (ignoring case), so no other
/// network of the assembly may have it. Networks that declared no name go by their class name and stay apart by full
/// name, so only declared names are reported, each at its own declaration.
/// </summary>
public static class RegistryNameClashes
{
    /// <summary>One network of an assembly: its registry name, its full name, and whether [Network] declared the name.</summary>
    public readonly record struct Entry<T>(string RegistryName, string FullName, bool Declared, T Tag);

    /// <summary>Every entry whose declared name another entry has too, with the message to report at it.</summary>
    public static IEnumerable<(Entry<T> Entry, string Message)> Find<T>(IEnumerable<Entry<T>> entries)
    {
        foreach (var group in entries.GroupBy(e => e.RegistryName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var all = group.OrderBy(e => e.FullName, StringComparer.Ordinal).ToArray();
            foreach (var entry in all.Where(e => e.Declared))
            {
                var others = string.Join(", ", all.Where(e => !e.Equals(entry)).Select(e => e.FullName));
                yield return (entry,
                    $"{entry.FullName} is named \"{entry.RegistryName}\", but {others} has that name too (ignoring case); " +
                    $"give each network its own Name");
            }
        }
    }
}
