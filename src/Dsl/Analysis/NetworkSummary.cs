using System.Text;

namespace Mnist.Dsl.Analysis;

/// <summary>
/// Per-layer shapes and sizes of a network whose shapes work, with torchsummary's totals and MB lines:
/// input = prod(input)·4/1024², forward/backward = 2·Σ prod(row outputs)·4/1024², params = params·4/1024².
/// </summary>
public sealed class NetworkSummary
{
    private const double BytesPerMegabyte = 1024.0 * 1024.0;

    internal NetworkSummary(string name, Shape input, IReadOnlyList<LayerReport> layers)
    {
        Name = name;
        Input = input;
        Layers = layers;
        Rows = layers.Where(l => l.RowName is not null).ToArray();
        TotalParameters = layers.Sum(l => l.Parameters);
        Output = layers.Count > 0 ? layers[layers.Count - 1].Output : input;
        ReceptiveField = layers.Count > 0 ? layers[layers.Count - 1].ReceptiveField : 1;
        MultiplyAdds = layers.Sum(l => l.MultiplyAdds);
        InputSizeMb = input.Elements * 4 / BytesPerMegabyte;
        ForwardBackwardPassSizeMb = 2.0 * Rows.Sum(r => r.Output.Elements) * 4 / BytesPerMegabyte;
        ParamsSizeMb = TotalParameters * 4 / BytesPerMegabyte;
        EstimatedTotalSizeMb = InputSizeMb + ForwardBackwardPassSizeMb + ParamsSizeMb;
    }

    public string Name { get; }
    public Shape Input { get; }
    public Shape Output { get; }

    /// <summary>Every layer, functional ones included, in declaration order.</summary>
    public IReadOnlyList<LayerReport> Layers { get; }

    /// <summary>The layers torchsummary lists: those that are modules.</summary>
    public IReadOnlyList<LayerReport> Rows { get; }

    public long TotalParameters { get; }

    /// <summary>Every parameter trains (no layer here freezes any), as torchsummary's "Trainable params".</summary>
    public long TrainableParameters => TotalParameters;

    public int ReceptiveField { get; }
    public long MultiplyAdds { get; }
    public double InputSizeMb { get; }
    public double ForwardBackwardPassSizeMb { get; }
    public double ParamsSizeMb { get; }
    public double EstimatedTotalSizeMb { get; }

    /// <summary>The table exactly as torchsummary prints it.</summary>
    public string ToTable()
    {
        var rule = new string('-', 64);
        var text = new StringBuilder();
        text.AppendLine(rule);
        text.AppendLine(Row("Layer (type)", "Output Shape", "Param #"));
        text.AppendLine(new string('=', 64));
        foreach (var row in Rows) text.AppendLine(Row(row.RowName!, row.Output.ToString(), Thousands(row.Parameters)));
        text.AppendLine(new string('=', 64));
        text.AppendLine($"Total params: {Thousands(TotalParameters)}");
        text.AppendLine($"Trainable params: {Thousands(TrainableParameters)}");
        text.AppendLine($"Non-trainable params: {Thousands(TotalParameters - TrainableParameters)}");
        text.AppendLine(rule);
        text.AppendLine($"Input size (MB): {Megabytes(InputSizeMb)}");
        text.AppendLine($"Forward/backward pass size (MB): {Megabytes(ForwardBackwardPassSizeMb)}");
        text.AppendLine($"Params size (MB): {Megabytes(ParamsSizeMb)}");
        text.AppendLine($"Estimated Total Size (MB): {Megabytes(EstimatedTotalSizeMb)}");
        text.Append(rule);
        return text.ToString();
    }

    /// <summary>What torchsummary lacks: every layer (functional ones too) with receptive field, jump and multiply-adds.</summary>
    public string ToDetailTable()
    {
        var text = new StringBuilder();
        var header = string.Format(CultureInfo.InvariantCulture, "{0,-22} {1,-18} {2,18} {3,9} {4,5} {5,6} {6,12}", "Layer", "Input", "Output",
            "Params", "RF", "Jump", "MACs");
        text.AppendLine(header);
        text.AppendLine(new string('-', header.Length));
        foreach (var l in Layers)
        {
            var name = l.RowName ?? $"({l.Layer.ModuleName}, functional)";
            text.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-22} {1,-18} {2,18} {3,9:N0} {4,5} {5,6} {6,12:N0}",
                name, l.Input, l.Output, l.Parameters, l.ReceptiveField, l.Jump, l.MultiplyAdds));
        }
        text.AppendLine(new string('-', header.Length));
        text.Append(string.Format(CultureInfo.InvariantCulture, "Receptive field {0}×{0} of a {1}×{2} input; {3:N0} multiply-adds per image",
            ReceptiveField, Input.Height, Input.Width, MultiplyAdds));
        return text.ToString();
    }

    public override string ToString() => ToTable();

    // "{:>20}  {:>25} {:>15}" in torchsummary.
    private static string Row(string name, string shape, string parameters) =>
        string.Format(CultureInfo.InvariantCulture, "{0,20}  {1,25} {2,15}", name, shape, parameters);

    private static string Thousands(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>printf's "%0.2f": the exact binary value rounded, ties to even.</summary>
    internal static string Megabytes(double value)
    {
        var scaled = value * 100;
        var floor = Math.Floor(scaled);
        // Exact ties are possible here (sizes are dyadic fractions); printf rounds them to even, .NET away from zero.
        var rounded = scaled - floor == 0.5 ? (floor % 2 == 0 ? floor : floor + 1) : Math.Round(scaled, MidpointRounding.AwayFromZero);
        return (rounded / 100).ToString("F2", CultureInfo.InvariantCulture);
    }
}
