namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// The networks the trainer knows: those given to <see cref="MnistTrainer.Run(string[], IEnumerable{RegisteredNetwork})"/>
/// (by default the entry assembly's generated registry), found by name as <see cref="NetworkRegistry.Find"/> finds them.
/// </summary>
internal sealed class ModelCatalog
{
    /// <summary>The name of the network trained when none is named; without one, the first listed.</summary>
    public const string DefaultName = "default";

    public ModelCatalog(IReadOnlyList<RegisteredNetwork> networks) => All = networks;

    public IReadOnlyList<RegisteredNetwork> All { get; }

    /// <summary>
    /// The network of a command-line name (ignoring case: its full name, its registry name or its class name);
    /// an empty name is the default network.
    /// </summary>
    public RegisteredNetwork Find(string name)
    {
        if (All.Count == 0)
            throw new UserError(
                "There are no networks to train: declare one with [Network] in the project that calls MnistTrainer.Run(args), " +
                "or pass them to MnistTrainer.Run(args, networks).");
        if (string.IsNullOrEmpty(name)) return Matching(DefaultName, n => n.Name).FirstOrDefault() ?? All[0];
        var matches = Matching(name, n => n.FullName);
        if (matches.Length == 0) matches = Matching(name, n => n.Name);
        if (matches.Length == 0) matches = Matching(name, n => n.Type.Name);
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new UserError($"Unknown model '{name}'. Known models: {string.Join(", ", All.Select(m => m.Name))} (see `list`)."),
            _ => throw new UserError($"Several models are called '{name}': {string.Join(", ", matches.Select(m => m.FullName))}; use a full name."),
        };
    }

    private RegisteredNetwork[] Matching(string name, Func<RegisteredNetwork, string> key) =>
        All.Where(n => string.Equals(key(n), name, StringComparison.OrdinalIgnoreCase)).ToArray();
}
