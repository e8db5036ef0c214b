namespace Mnist.Dsl.Engine.Trainers;

/// <summary>
/// Every parameter tensor of a network in one flat vector, in state-dict order and under PyTorch's state-dict
/// names, so that gradient reduction and the optimizer are one loop over a range, split evenly between threads.
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<(string Name, int Offset, int Count)> _entries = new();

    public int Count { get; private set; }

    public IReadOnlyList<(string Name, int Offset, int Count)> Entries => _entries;

    /// <summary>Reserves <paramref name="count"/> floats for <paramref name="name"/> and returns their offset.</summary>
    public int Add(string name, int count)
    {
        int offset = Count;
        _entries.Add((name, offset, count));
        Count += count;
        return offset;
    }

    public (int Offset, int Count) this[string name]
    {
        get
        {
            foreach (var e in _entries)
                if (e.Name == name) return (e.Offset, e.Count);
            throw new KeyNotFoundException($"no parameter named {name}");
        }
    }

    /// <summary>The slice of [0, Count) that thread <paramref name="thread"/> of <paramref name="threads"/> reduces and updates.</summary>
    public (int From, int To) Range(int thread, int threads) =>
        ((int)((long)Count * thread / threads), (int)((long)Count * (thread + 1) / threads));

    public static void CheckLength(string name, int expected, int actual)
    {
        if (expected != actual) throw new ArgumentException($"{name}: expected {expected} values, got {actual}");
    }
}
